// How the gateway's Node process is started: by `npm start`, and by `npm run bench` for the Portico
// targets, so that the bench measures what production runs. Measured with bench/ on this machine
// (64 KiB messages, 16 in flight, through the gateway to an echo backend):
//
// --no-incremental-marking: every socket read allocates a 64 KiB buffer outside the JS heap. With the
//   whole gateway loaded, V8 answered that external memory with back-to-back incremental mark-compacts
//   (one every ~100 ms, 20-30 ms of marking each): ~2 ms of user CPU per relayed MB instead of ~0.3 ms.
//   http-proxy-middleware alone in a process does not fall into it; loaded beside the gateway's
//   modules it does, so it is the process, not the relay. Without incremental marking a mark-compact
//   runs only when the old generation really grows; the price is that each one is a single pause
//   (milliseconds for the gateway's heap, longer with the dashboard's pages loaded).
// MALLOC_TRIM_THRESHOLD_: glibc handed the freed read buffers back to the kernel after each collection
//   and faulted them in again: ~400 page faults per relayed MB. Keeping up to 128 MiB of freed heap
//   takes that to under 1. Larger top padding (MALLOC_TOP_PAD_) bought nothing more and cost memory.
//
// Together: 64 KiB throughput through Portico ~190 → ~475 MB/s; idle memory per socket unchanged.
//
// Checked again with pages (issue 12.5): `npm run bench` runs the gateway without the flag beside it
// (portico-incremental) and a page-rendering row, round trips timed while the same process renders 20
// signed-in dashboard pages a second. On 30 November, three runs: round-trip p99 while rendering lower with
// the flag in all three (3.8 vs 4.3, 4.1 vs 4.9, 12.4 vs 15.1 ms), 64 KiB throughput higher in two of three,
// upgrades/s even (0.96 paired over 8 rounds). The longer single pause did not show; the flag stays (README).
// An operator who starts server.ts another way should pass the same (deploy/README.md).
const nodeFlags = ['--no-incremental-marking'];
const env = { MALLOC_TRIM_THRESHOLD_: '134217728' };

/** `base` with the runtime's environment added, without overriding anything already set. */
function withRuntimeEnv(base) {
  const out = { ...base };
  for (const [k, v] of Object.entries(env)) if (out[k] === undefined) out[k] = v;
  return out;
}

module.exports = { nodeFlags, env, withRuntimeEnv };

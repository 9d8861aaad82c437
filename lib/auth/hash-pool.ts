// scrypt runs on libuv's thread pool, the same four threads that file I/O, DNS and WebCrypto (token
// checks) use. Unbounded, a burst of sign-ins fills the pool and every signed-in user waits behind it
// (issue 10 point 5: 64 failing logins took a project list from 2 ms to 6 s). So password hashing goes
// through this gate: at most `concurrency` at once (fewer than the pool's threads, so other work always
// gets one) and at most `queue` waiting; past that the caller is told to come back later.

export class HashPoolFull extends Error {
  constructor() {
    super('Too many sign-ins are being checked right now; try again in a few seconds.');
  }
}

export type HashPool = ReturnType<typeof createHashPool>;

export function createHashPool(concurrency: number, queue: number) {
  let running = 0;
  const waiting: Array<() => void> = [];

  function release() {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  }

  return {
    /** Runs `work` when a slot is free; rejects at once with HashPoolFull when the queue is full. */
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running >= concurrency) {
        if (waiting.length >= queue) throw new HashPoolFull();
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else running++;
      try {
        return await work();
      } finally {
        release();
      }
    },
    get busy() {
      return { running, waiting: waiting.length };
    },
  };
}

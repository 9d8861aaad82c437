import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closed, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { clientFrame, flood, rawWebSocket } from '../helpers/raw-ws';

// Issue 10, point 3: `ws` answers every ping with a pong, whether or not the peer reads them (ws 8.23
// at least cuts such a peer off after 60 unanswered pongs — with no close frame, so the client sees a
// bare 1006). Now the gateway answers pings only while the peer reads, and a peer that owes more than
// the bound is closed with 1013 and a reason that says so: on the hub (in process), and through the
// proxy to the build backend, with the gateway's memory bounded all along.

// Past what the kernel's socket buffers absorb on loopback, yet sent quickly enough that the close frame
// is read within the server's grace period. The build route has two hops (client ↔ gateway ↔ backend)
// whose buffers together absorb from ~10 to ~25 MiB of pongs depending on how the kernel tuned them, so
// its flood goes on until the server ends the connection; a close frame queued behind what such a peer
// owes may then never reach it (the server cuts it off after its grace), so for that route the frame is
// checked when it arrived.
const FLOOD_BYTES = { hub: 32 * 1024 * 1024, build: 128 * 1024 * 1024 };
// The bound for the whole suite. What the gateway holds for such a peer is ~1 MiB (hub) or
// ~8 MiB (build backend) plus kernel buffers; the rest of the peak is garbage from the flood itself
// (every chunk read is a Buffer until the next GC), which grows with the flood, not with time.
const RSS_BUDGET = 64 * 1024 * 1024;

/** The highest RSS seen while `work` runs, sampled every 50 ms. */
async function peakRssDuring<T>(work: Promise<T>): Promise<{ result: T; growth: number }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const result = await work;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { result, growth: peak - start };
}

describe('a client that floods pings and never reads', () => {
  let gw: TestGateway;
  let user: { id: string; token: string };

  before(async () => {
    gw = await startGateway();
    user = await gw.createUser('pinger');
  });
  after(() => gw.close());

  const ping = clientFrame(0x9, Buffer.alloc(125, 0x61));

  for (const route of ['hub', 'build'] as const) {
    test(`is closed before it costs the gateway more than ${RSS_BUDGET >> 20} MiB (${route})`, async () => {
      const path = route === 'hub' ? `/api/events?token=${user.token}` : `/api/build/${(await gw.createProject(user.token, 'p')).id}?token=${user.token}`;
      const socket = await rawWebSocket(gw.url, path);
      try {
        const { result, growth } = await peakRssDuring(flood(socket, ping, FLOOD_BYTES[route], 15_000));
        assert.ok(result.closedByServer, `the gateway kept taking pings: ${result.sent >> 20} MiB sent, connection still open`);
        assert.ok(growth < RSS_BUDGET, `RSS grew by ${growth >> 20} MiB`);
        if (route === 'hub') assert.ok(result.close, 'the connection was cut without a close frame');
        if (result.close) {
          assert.equal(result.close.code, 1013);
          assert.match(result.close.reason, /owes more than \d+ bytes/);
        }
      } finally {
        socket.destroy();
      }
      // The slot the socket held is given back.
      for (const until = Date.now() + 3000; gw.portico.registry.size > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
      assert.equal(gw.portico.registry.size, 0);
    });
  }

  test('a client that never reads a long replay is closed with 1013; the gateway holds none of it', async () => {
    // A finished build of 320 events × 64 KiB (20 MiB), replayed from seq 0 to a client that reads nothing.
    const { id: projectId } = await gw.createProject(user.token, 'long');
    const backend = gw.portico.buildBackend!;
    const build = await backend.builds.create({ projectId, userId: user.id, prompt: 'long' });
    const text = 'y'.repeat(64 * 1024);
    const db = gw.portico.store.db;
    for (let seq = 1; seq <= 320; seq++) {
      const event = { v: 1, type: 'output', text, buildId: build.id, seq, at: Date.now() };
      await db.insertInto('build_events').values({ build_id: build.id, seq, event: JSON.stringify(event) }).execute();
    }
    await db.updateTable('builds').set({ last_seq: 320 }).where('id', '=', build.id).execute();
    await backend.builds.finish(build.id, { status: 'succeeded', summary: 'long', files: [], startedAt: Date.now() });

    const ws = gw.open(`/api/build/${projectId}?token=${user.token}&after=0`);
    const end = closed(ws);
    let events = 0;
    ws.on('message', () => events++);
    const { growth } = await peakRssDuring(
      (async () => {
        await opened(ws);
        ws.pause();
        // Nothing to await from a client that does not read: give the backend a moment to replay.
        await new Promise((r) => setTimeout(r, 300));
      })(),
    );
    ws.resume();
    const c = await end;
    assert.equal(c.code, 1013, `${c.code} ${c.reason}`);
    assert.match(c.reason, /owes more than \d+ bytes/);
    assert.ok(events < 320, `all ${events} events were queued for a client that did not read`);
    assert.ok(growth < RSS_BUDGET, `RSS grew by ${growth >> 20} MiB`);
  });
});

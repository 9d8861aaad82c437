import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { closed, opened, startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10, point 3: a hub subscriber that stops reading made the gateway buffer every event it missed
// (~80 MiB in the report). Now it is dropped with 1013 once it owes more than a bound, and the readers
// on the same topic go on getting every event.

const TOPIC = 'sessions';
const EVENT = { blob: 'x'.repeat(64 * 1024) };
const EVENTS = 512; // 32 MiB: far past the bound and past what the kernel's socket buffers absorb

async function subscribed(ws: WebSocket) {
  await opened(ws);
  const done = new Promise<void>((resolve) =>
    ws.on('message', (raw) => {
      if (JSON.parse(raw.toString()).type === 'subscribed') resolve();
    }),
  );
  ws.send(JSON.stringify({ type: 'subscribe', topic: TOPIC }));
  await done;
}

describe('a hub subscriber that stops reading', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  test('is closed with 1013 and a reason that says it owes too much; readers get every event', async () => {
    const slow = gw.open(`/api/events?token=${gw.adminToken}`);
    await subscribed(slow);
    const reader = gw.open(`/api/events?token=${gw.adminToken}`);
    await subscribed(reader);
    let received = 0;
    reader.on('message', (raw) => {
      if (JSON.parse(raw.toString()).type === 'event') received++;
    });
    const slowEnd = closed(slow);
    slow.pause(); // stops reading its socket: the TCP window closes, the gateway's queue for it grows

    for (let i = 0; i < EVENTS; i++) {
      gw.portico.bus.publish(TOPIC, { n: i, ...EVENT });
      // One event per turn of the loop, so a subscriber that reads keeps up (this is not a burst test).
      await new Promise((r) => setImmediate(r));
    }
    // Read again: what was queued arrives, then the close frame (before the grace period cuts it off).
    slow.resume();
    const end = await Promise.race([slowEnd, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    assert.ok(end, 'the slow subscriber is still open: the gateway kept buffering for it');
    assert.equal(end.code, 1013);
    assert.match(end.reason, /owes more than \d+ bytes/);

    for (const until = Date.now() + 10_000; received < EVENTS && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(received, EVENTS, 'a subscriber that reads gets every event');
    // The gateway let go of the dropped one (after its close handshake or the grace period).
    for (const until = Date.now() + 3000; gw.portico.hub.subscriberCount(TOPIC) > 1 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(gw.portico.hub.subscriberCount(TOPIC), 1);
    reader.close();
    await closed(reader);
  });
});

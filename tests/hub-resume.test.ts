import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { HISTORY_PER_TOPIC } from '../lib/hub/bus';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { hubReader } from './helpers/hub-client';

// Resuming a hub topic on the embedded gateway (no Redis): the protocol is the one the Redis bus speaks,
// an epoch and a seq per topic, the missed events replayed from a bounded history, `resync` past it.

describe('hub resume, embedded', () => {
  let gw: TestGateway;
  let user: { id: string; token: string };
  let topic: string;
  before(async () => {
    gw = await startGateway();
    user = await gw.createUser('resumer');
    topic = `project:${(await gw.createProject(user.token)).id}:files`;
  });
  after(() => gw.close());

  async function subscribe(cursor: { epoch?: string; afterSeq?: number } = {}) {
    const ws: WebSocket = gw.open(`/api/events?token=${user.token}`);
    const hub = hubReader(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'subscribe', topic, ...cursor }));
    const first = await hub.until((m) => m.topic === topic && (m.type === 'subscribed' || m.type === 'resync'));
    return { ws, hub, first };
  }
  const shut = async (ws: WebSocket) => (ws.close(), await closed(ws));
  const publish = (n: number) => gw.portico.bus.publish(topic, { n });

  test('a client back with its cursor gets what it missed, in order, once; then live events follow', async () => {
    const s1 = await subscribe();
    publish(1);
    const last = await s1.hub.until((m) => m.type === 'event');
    await shut(s1.ws);
    for (const n of [2, 3, 4]) publish(n);
    const s2 = await subscribe({ epoch: last.epoch as string, afterSeq: last.seq as number });
    assert.deepEqual(s2.first, { type: 'subscribed', topic, epoch: last.epoch, seq: last.seq });
    publish(5);
    await s2.hub.until((m) => m.type === 'event' && (m.data as { n: number }).n === 5);
    const events = s2.hub.seen.filter((m) => m.type === 'event');
    assert.deepEqual(events.map((m) => (m.data as { n: number }).n), [2, 3, 4, 5]);
    assert.deepEqual(events.map((m) => m.seq), [2, 3, 4, 5].map((n) => (last.seq as number) + n - 1));
    await shut(s2.ws);
  });

  test('a cursor that fell out of the kept history, or of another epoch, is answered resync with where the topic stands', async () => {
    const s1 = await subscribe();
    const at = s1.first;
    await shut(s1.ws);
    for (let n = 0; n <= HISTORY_PER_TOPIC; n++) publish(n);
    const s2 = await subscribe({ epoch: at.epoch as string, afterSeq: at.seq as number });
    assert.deepEqual(s2.first, { type: 'resync', topic, epoch: at.epoch, seq: (at.seq as number) + HISTORY_PER_TOPIC + 1 });
    publish(-1);
    const next = await s2.hub.until((m) => m.type === 'event');
    assert.equal(next.seq, (s2.first.seq as number) + 1);
    await shut(s2.ws);
    const s3 = await subscribe({ epoch: 'from-another-life', afterSeq: 3 });
    assert.equal(s3.first.type, 'resync');
    assert.equal(s3.first.epoch, at.epoch);
    await shut(s3.ws);
  });

  test('a malformed cursor is a fresh subscription, not a refusal', async () => {
    const s = await subscribe({ epoch: 'x', afterSeq: -4 });
    assert.equal(s.first.type, 'subscribed');
    await shut(s.ws);
  });
});

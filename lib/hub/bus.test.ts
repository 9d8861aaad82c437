import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryBus, type BusMessage } from './bus';

// The in-process bus numbers and keeps events exactly as the Redis one does, so the hub's protocol is one.

describe('createMemoryBus', () => {
  test('numbers each topic on its own, from 1, within one epoch, and hands listeners every event in order', () => {
    const bus = createMemoryBus();
    const got: BusMessage[] = [];
    bus.subscribe('t', (m) => got.push(m));
    for (const n of [1, 2, 3]) assert.equal(bus.publish('t', { n }), true);
    bus.publish('other', { n: 9 });
    assert.deepEqual(got.map((m) => [m.type, m.seq, m.type === 'event' && m.data]), [['event', 1, { n: 1 }], ['event', 2, { n: 2 }], ['event', 3, { n: 3 }]]);
    assert.equal(new Set(got.map((m) => m.epoch)).size, 1);
    assert.equal(got[0].type === 'event' && got[0].json, '{"n":1}');
  });

  test('since: where the topic stands, the kept events after a cursor, or resync when they are gone', async () => {
    const bus = createMemoryBus({ historyPerTopic: 3 });
    for (let n = 1; n <= 5; n++) bus.publish('t', n);
    const head = await bus.since('t');
    assert.deepEqual({ ...head, epoch: 'e' }, { ok: true, epoch: 'e', seq: 5, events: [] });
    const replay = await bus.since('t', { epoch: head.epoch, seq: 3 });
    assert.ok(replay.ok);
    assert.deepEqual(replay.events.map((e) => [e.seq, e.data]), [[4, 4], [5, 5]]);
    assert.deepEqual(await bus.since('t', { epoch: head.epoch, seq: 1 }), { ok: false, epoch: head.epoch, seq: 5 }, 'seq 2 is no longer kept');
    assert.deepEqual(await bus.since('t', { epoch: 'another', seq: 4 }), { ok: false, epoch: head.epoch, seq: 5 });
    assert.deepEqual(await bus.since('t', { epoch: head.epoch, seq: 9 }), { ok: false, epoch: head.epoch, seq: 5 });
  });

  test('a topic nobody listens to and nothing is kept for starts a new epoch: an old cursor is a resync', async () => {
    const bus = createMemoryBus({ historyPerTopic: 0 });
    bus.publish('t', 1);
    const { epoch } = await bus.since('t');
    const sub = bus.subscribe('t', () => undefined);
    sub.close();
    const later = await bus.since('t', { epoch, seq: 1 });
    assert.equal(later.ok, false);
    assert.notEqual(later.epoch, epoch);
  });

  test('data that cannot be JSON is refused, not thrown', () => {
    const bus = createMemoryBus();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.equal(bus.publish('t', loop), false);
  });
});

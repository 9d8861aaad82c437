import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startRedisServer, type RedisServer } from '../engines/redis-server';
import { openRedis, type RedisConnection } from '../redis/connection';
import type { Bus, BusMessage } from './bus';
import { createRedisBus } from './redis-bus';

// The hub's bus on a real redis-server, as two gateways use it: one numbering per topic for both, gaps
// filled from the topic's Stream, and `resync` whenever what was missed is no longer kept.

const logger = pino({ level: process.env.DEBUG_BUS ? 'debug' : 'silent' });
let redis: RedisServer;
const conns: RedisConnection[] = [];
const buses: Bus[] = [];

async function gateway(historyPerTopic?: number): Promise<{ bus: Bus; conn: RedisConnection }> {
  const conn = await openRedis(redis.url, { logger, name: 'test' });
  conns.push(conn);
  const bus = createRedisBus(conn, { subscriber: await conn.subscriber(), logger, historyPerTopic });
  buses.push(bus);
  return { bus, conn };
}

/** A listener's messages, and a way to wait until it has `n` of them. */
function listen(bus: Bus, topic: string) {
  const got: BusMessage[] = [];
  let wake = () => undefined as void;
  const sub = bus.subscribe(topic, (m) => (got.push(m), wake()));
  return {
    got,
    sub,
    async count(n: number, ms = 5000) {
      const until = Date.now() + ms;
      while (got.length < n) {
        if (Date.now() > until) throw new Error(`only ${got.length} of ${n} messages: ${JSON.stringify(got)}`);
        await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
      }
      return got;
    },
  };
}

const summary = (ms: BusMessage[]) => ms.map((m) => (m.type === 'event' ? [m.seq, m.data] : ['resync', m.seq]));

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  for (const b of buses) await b.close();
  for (const c of conns) await c.close();
  await redis.close();
});

describe('createRedisBus', () => {
  test('what A publishes reaches a listener on B, numbered once for both', async () => {
    const [a, b] = [await gateway(), await gateway()];
    const onB = listen(b.bus, 'one');
    await onB.sub.ready();
    for (const n of [1, 2, 3]) assert.equal(await a.bus.publish('one', { n }), true);
    assert.deepEqual(summary(await onB.count(3)), [[1, { n: 1 }], [2, { n: 2 }], [3, { n: 3 }]]);
    const head = await a.bus.since('one');
    assert.equal(head.epoch, onB.got[0].epoch);
    assert.equal(head.seq, 3);
    onB.sub.close();
  });

  test('since: replays the kept events after a cursor; a cursor further back than the history is a resync', async () => {
    const { bus } = await gateway(5);
    for (let n = 1; n <= 8; n++) await bus.publish('kept', n);
    const { epoch } = await bus.since('kept');
    const replay = await bus.since('kept', { epoch, seq: 4 });
    assert.ok(replay.ok);
    assert.deepEqual(replay.events.map((e) => [e.seq, e.data]), [[5, 5], [6, 6], [7, 7], [8, 8]]);
    assert.deepEqual(await bus.since('kept', { epoch, seq: 1 }), { ok: false, epoch, seq: 8 });
    assert.deepEqual(await bus.since('kept', { epoch: 'gone', seq: 7 }), { ok: false, epoch, seq: 8 });
  });

  test('an event that never came over Pub/Sub is filled in from the Stream before the next one', async () => {
    const [a, b] = [await gateway(), await gateway()];
    const onB = listen(b.bus, 'gappy');
    await onB.sub.ready();
    await a.bus.publish('gappy', 'first');
    await onB.count(1);
    // Numbered and kept, but its PUBLISH "lost": what a dropped subscriber connection would miss.
    const meta = 'portico:hub:{gappy}:meta';
    const seq = await a.conn.client.hIncrBy(meta, 'seq', 1);
    await a.conn.client.xAdd('portico:hub:{gappy}:log', `${seq}-0`, { d: '"lost"' });
    await a.bus.publish('gappy', 'third');
    assert.deepEqual(summary(await onB.count(3)), [[1, 'first'], [2, 'lost'], [3, 'third']]);
    onB.sub.close();
  });

  test("a subscriber connection that was cut catches up from the Stream once it is back", async () => {
    const [a, b] = [await gateway(), await gateway()];
    const onB = listen(b.bus, 'cut');
    await onB.sub.ready();
    await a.bus.publish('cut', 1);
    await onB.count(1);
    await a.conn.client.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    for (const n of [2, 3]) await a.bus.publish('cut', n);
    assert.deepEqual(summary(await onB.count(3)), [[1, 1], [2, 2], [3, 3]]);
    onB.sub.close();
  });

  test('Redis restarted (history and numbering lost): listeners are told resync with the new epoch, then events flow', async () => {
    const [a, b] = [await gateway(), await gateway()];
    const onB = listen(b.bus, 'reborn');
    await onB.sub.ready();
    await a.bus.publish('reborn', 'before');
    await onB.count(1);
    const oldEpoch = onB.got[0].epoch;
    await redis.restart();
    const [, resync] = await onB.count(2, 10_000);
    assert.equal(resync.type, 'resync');
    assert.notEqual(resync.epoch, oldEpoch);
    let published = false;
    for (const until = Date.now() + 5000; !published && Date.now() < until; ) {
      published = await a.bus.publish('reborn', 'after');
      // A connection still on its way back refuses at once: give it the event loop to reconnect on.
      if (!published) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(published);
    const [, , next] = await onB.count(3);
    assert.deepEqual([next.type, next.epoch, next.seq], ['event', resync.epoch, resync.seq + 1]);
    onB.sub.close();
  });

  test('Redis paused: a publish is refused after the deadline and not delivered late after SIGCONT', async () => {
    const [a, b] = [await gateway(), await gateway()];
    const onB = listen(b.bus, 'paused');
    await onB.sub.ready();
    redis.pause();
    const started = Date.now();
    let answer: boolean;
    try {
      answer = await a.bus.publish('paused', 'during');
    } finally {
      redis.resume();
    }
    assert.equal(answer, false);
    assert.ok(Date.now() - started < 4000);
    await a.bus.publish('paused', 'after');
    assert.deepEqual(summary(await onB.count(1)), [[1, 'after']]);
    onB.sub.close();
  });
});

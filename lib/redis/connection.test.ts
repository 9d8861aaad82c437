import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { startRedisServer, type RedisServer } from '../engines/redis-server';
import { freePort } from '../net/ports';
import { openRedis } from './connection';

// The one way Portico connects to Redis: a start-up that cannot connect says why in one sentence (never
// with the password), and a connection that is lost later is retried without crashing anything.

const logger = pino({ level: 'silent' });
let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(() => redis.close());

test('a wrong password or nobody listening: start-up fails with a sentence that names the server, not the password', async () => {
  const wrong = new URL(redis.url);
  wrong.password = 'not-the-password';
  await assert.rejects(openRedis(wrong.href, { logger, name: 't', startTimeoutMs: 1500 }), (err: Error) => {
    assert.match(err.message, new RegExp(`^Redis at 127\\.0\\.0\\.1:${redis.port} did not answer within 1\\.5 s: .*(WRONGPASS|invalid)`, 'i'));
    assert.ok(!err.message.includes('not-the-password'));
    return true;
  });
  const port = await freePort();
  await assert.rejects(openRedis(`redis://127.0.0.1:${port}`, { logger, name: 't', startTimeoutMs: 1000 }), new RegExp(`Redis at 127\\.0\\.0\\.1:${port} did not answer`));
});

test('commands fail at once while Redis is down, and work again once it is back, on both connections', async () => {
  const conn = await openRedis(redis.url, { logger, name: 't' });
  const sub = await conn.subscriber();
  await redis.restart();
  // Right after the restart the connection may still be on its way back: a command fails fast, never hangs.
  const until = Date.now() + 5000;
  let answer = '';
  while (answer !== 'PONG' && Date.now() < until) {
    const started = Date.now();
    answer = await conn.client.ping().catch(() => '');
    assert.ok(Date.now() - started < 2500);
    if (answer !== 'PONG') await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(answer, 'PONG');
  const got = new Promise<string>((r) => void sub.subscribe('hello', (m) => r(m)));
  for (let i = 0; i < 50 && (await conn.client.publish('hello', 'again')) === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await got, 'again');
  await conn.close();
});

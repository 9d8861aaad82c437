import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Client } from 'pg';
import { startRedisServer } from './redis-server';
import { startPostgresServer } from './postgres-server';

// The engines the scale-out tests run on: real servers, password-protected, restartable on their port.

function redisSays(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d) => (got += d));
    c.on('error', reject);
    c.write(lines.map((l) => `${l}\r\n`).join(''));
    setTimeout(() => (c.destroy(), resolve(got)), 200);
  });
}

test('redis-server: refuses without its password, answers with it, and comes back after a restart', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.close());
  const password = decodeURIComponent(new URL(redis.url).password);
  assert.match(await redisSays(redis.port, ['PING']), /NOAUTH/);
  assert.match(await redisSays(redis.port, [`AUTH ${password}`, 'PING']), /\+OK\r\n\+PONG/);
  await redis.restart();
  assert.match(await redisSays(redis.port, [`AUTH ${password}`, 'PING']), /\+PONG/);
});

test('postgres: a database per caller, reachable with the password only, data kept across a restart', async (t) => {
  const pg = await startPostgresServer();
  t.after(() => pg.close());
  const url = await pg.createDatabase('engines_test');
  const psql = (sql: string, u = url) => spawnSync('/usr/bin/psql', [u, '-Atc', sql], { encoding: 'utf8' });
  assert.equal(psql('create table t (n int); insert into t values (7); select n from t').stdout.trim().split('\n').at(-1), '7');
  const wrong = new URL(url);
  wrong.password = 'wrong';
  assert.match(psql('select 1', wrong.href).stderr, /password authentication failed/);
  await pg.restart();
  // restart() returns only once queries are answered, not merely once the port is open ("starting up").
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    assert.equal((await client.query('select n from t')).rows[0].n, 7);
  } finally {
    await client.end();
  }
  assert.equal(psql('select n from t').stdout.trim(), '7');
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createClient } from 'redis';
import { startRedisServer } from '../engines/redis-server';
import { createLocalProcessRegistry, createRedisProcessRegistry, type RegistryRedis } from './process-registry';

const until = async (what: string, ok: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('embedded: the one process lists itself with every role', async () => {
  const reg = createLocalProcessRegistry({ roles: ['gateway', 'worker', 'vmhost'], url: () => 'http://127.0.0.1:3000', state: () => 'ok', load: () => ({ sockets: 2 }) });
  const [me] = await reg.list();
  assert.deepEqual(me.roles, ['gateway', 'worker', 'vmhost']);
  assert.equal(me.pid, process.pid);
  assert.deepEqual(me.load, { sockets: 2 });
});

test('on Redis: processes see each other, a closed one leaves at once, a killed one is late and then gone', async (t) => {
  const redis = await startRedisServer();
  const client = createClient({ url: redis.url });
  await client.connect();
  t.after(async () => {
    await client.quit();
    await redis.close();
  });
  const r = client as unknown as RegistryRedis;
  let draining = false;
  const gateway = createRedisProcessRegistry(r, { roles: ['gateway'], url: () => 'http://127.0.0.1:3000', state: () => (draining ? 'draining' : 'ok'), load: () => ({ sockets: 7 }) }, { beatMs: 200 });
  const worker = createRedisProcessRegistry(r, { roles: ['worker'], url: () => null, state: () => 'ok', load: () => ({ builds: 1 }) }, { beatMs: 200 });
  t.after(() => gateway.close());
  await until('both listed', async () => (await gateway.list()).length === 2);
  const seen = await worker.list();
  assert.deepEqual(seen.map((p) => p.roles[0]), ['gateway', 'worker'], 'gateways first');
  assert.deepEqual(seen[0].load, { sockets: 7 });
  draining = true;
  await until('the drain shows', async () => (await worker.list())[0].state === 'draining');
  await worker.close();
  assert.deepEqual((await gateway.list()).map((p) => p.roles[0]), ['gateway'], 'a process that stops takes itself off');

  // A vmhost in a process of its own, killed with SIGKILL: nothing takes it off but time.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-reg-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'vmhost.ts');
  fs.writeFileSync(
    script,
    `import { createClient } from ${JSON.stringify(require.resolve('redis'))};
     import { createRedisProcessRegistry } from ${JSON.stringify(path.resolve(__dirname, 'process-registry.ts'))};
     const c = createClient({ url: process.env.R });
     c.connect().then(() => { createRedisProcessRegistry(c as never, { roles: ['vmhost'], url: () => null, state: () => 'ok', load: () => ({ vms: 3 }) }, { beatMs: 200 }); console.log('beating'); });`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { PATH: process.env.PATH, R: redis.url } as unknown as NodeJS.ProcessEnv, cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  await new Promise((r) => child.stdout!.once('data', r));
  await until('the vmhost listed', async () => (await gateway.list()).some((p) => p.roles[0] === 'vmhost'));
  child.kill('SIGKILL');
  await until('the killed vmhost shows late', async () => (await gateway.list()).find((p) => p.roles[0] === 'vmhost')?.state === 'late', 2000);
  await until('and then is gone', async () => !(await gateway.list()).some((p) => p.roles[0] === 'vmhost'), 2000);
});

test('Redis away: the list fails (the caller says so), the heartbeats resume when it is back', async (t) => {
  const redis = await startRedisServer();
  const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
  client.on('error', () => undefined);
  await client.connect();
  t.after(async () => {
    await client.quit().catch(() => undefined);
    await redis.close();
  });
  const errors: Error[] = [];
  const reg = createRedisProcessRegistry(client as unknown as RegistryRedis, { roles: ['gateway'], url: () => null, state: () => 'ok', load: () => ({}) }, { beatMs: 100, onError: (e) => errors.push(e) });
  t.after(() => reg.close());
  await redis.restart();
  await until('listed again after the restart', async () => (await reg.list().catch(() => [])).length === 1 && Boolean(await client.get(`portico:process:${reg.id}`)), 5000);
});

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRedisServer, type RedisServer } from '../lib/engines/redis-server';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';

// A share link revoked on one gateway closes the sockets opened through it on another (REDIS_URL: the
// bus carries the revoke), at once rather than at the next sweep; who is watching is seen from any gateway.

describe('share links across two gateways on one Redis', () => {
  let redis: RedisServer;
  let dataDir: string;
  let vnc: net.Server;
  let a: TestGateway;
  let b: TestGateway;

  before(async () => {
    redis = await startRedisServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-shares-'));
    // A VNC server that greets and then listens: enough for sockets to stay open.
    vnc = net.createServer((c) => {
      c.on('error', () => undefined);
      c.write('RFB 003.008\n');
      c.resume();
    });
    await new Promise<void>((r) => vnc.listen(0, '127.0.0.1', () => r()));
    const env = { REDIS_URL: redis.url, DATA_DIR: dataDir, JWT_SECRET: crypto.randomBytes(32).toString('base64url'), VNC_TARGET_ALLOW: '127.0.0.1' };
    a = await startGateway(env);
    b = await startGateway(env);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.close();
    await new Promise((r) => vnc.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the owner on A sees the guest watching on B; revoked on A, the viewer on B closes with 4403 at once and B refuses a new one', async () => {
    const owner = await a.createUser('sharer');
    const guest = await a.createUser('watcher');
    const port = (vnc.address() as net.AddressInfo).port;
    const s = await a.api('POST', '/api/sessions', { token: a.adminToken, body: { name: 'shared', target: `tcp://127.0.0.1:${port}`, ownerId: owner.id } });
    const made = await a.api('POST', `/api/sessions/${s.body.id}/shares`, { token: owner.token, body: { rights: 'view-only', expires: '1h' } });
    assert.equal((await b.api('POST', `/api/shares/${made.body.path.slice('/share/'.length)}/accept`, { token: guest.token })).status, 200);

    const ws = b.open(`/api/sessions/${s.body.id}/vnc?token=${guest.token}`, { protocols: ['binary'] });
    await opened(ws);
    // The owner, on A, sees the guest watching through B.
    const listed = await a.api('GET', `/api/sessions/${s.body.id}/shares`, { token: owner.token });
    assert.equal(listed.body.watchingScope, 'all');
    assert.deepEqual(listed.body.watching.map((w: { username: string; access: string }) => `${w.username}:${w.access}`), ['watcher:view-only']);
    const ending = closed(ws);
    const at = Date.now();
    assert.equal((await a.api('DELETE', `/api/sessions/${s.body.id}/shares/${made.body.share.id}`, { token: owner.token })).status, 204);
    assert.deepEqual(await ending, { code: 4403, reason: 'the share link was revoked' });
    assert.ok(Date.now() - at < 1000, `closed after ${Date.now() - at} ms`);
    assert.equal((await closed(b.open(`/api/sessions/${s.body.id}/vnc?token=${guest.token}`, { protocols: ['binary'] }))).code, 4403);
    // Gone from the list once B has let go of the socket (its removal from Redis does not wait for anyone).
    const until = Date.now() + 2000;
    while ((await a.api('GET', `/api/sessions/${s.body.id}/shares`, { token: owner.token })).body.watching.length > 0) {
      assert.ok(Date.now() < until, 'the guest is still listed as watching');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createVmhostTokens } from '../lib/auth/vmhost-tokens';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { freePort } from '../lib/net/ports';
import { startGateway, type TestGateway } from './helpers/gateway';
import { startVmhost, type VmhostProcess } from './helpers/vmhost-process';

// Files into and out of a VM that runs on the vmhost (`npm run vmhost`), through a gateway with VMHOST_URL:
// the gateway streams each operation there with a token for that one operation on that one session, and the
// vmhost does it as the VM's uid in the sandbox, as an embedded server would.

const UPLOAD_MAX = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const notRoot = process.getuid?.() === 0 ? null : 'the vmhost tests start sandboxed VMs, which needs root';

describe('VM home files through a vmhost', { skip: localVncMissing() ?? notRoot ?? false, timeout: 120_000 }, () => {
  const secret = randomBytes(48).toString('base64url');
  let gw: TestGateway;
  let vmhost: VmhostProcess;
  let user: { id: string; token: string };
  let id: string;
  let home: string;
  const auth = () => ({ authorization: `Bearer ${user.token}` });

  before(async () => {
    const port = await freePort();
    gw = await startGateway({ VMHOST_URL: `http://127.0.0.1:${port}`, VMHOST_SECRET: secret, UPLOAD_MAX_BYTES: String(UPLOAD_MAX) });
    vmhost = await startVmhost(gw, secret, port);
    user = await gw.createUser('vmhost-files');
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'remote files' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    id = created.body.id;
    home = path.join(gw.portico.config.dataDir, 'vnc', id, 'home');
  });
  after(async () => {
    if (id) await gw.api('DELETE', `/api/sessions/${id}`, { token: user.token });
    if (vmhost && vmhost.proc.exitCode === null) {
      const exited = new Promise((r) => vmhost.proc.once('exit', r));
      vmhost.proc.kill('SIGTERM');
      await exited;
    }
    await gw?.close();
  });

  test('upload, list and download pass through the gateway to the VM on the vmhost, byte-exact and owned by the VM user', async () => {
    const bytes = randomBytes(400_000);
    const up = await fetch(`${gw.url}/api/sessions/${id}/files/in/remote.bin`, { method: 'PUT', body: bytes, headers: auth() });
    assert.equal(up.status, 201, await up.clone().text());
    assert.equal(sha(fs.readFileSync(path.join(home, 'in/remote.bin'))), sha(bytes));
    assert.notEqual(fs.statSync(path.join(home, 'in/remote.bin')).uid, 0);
    const listing = await (await fetch(`${gw.url}/api/sessions/${id}/files?path=in`, { headers: auth() })).json();
    assert.deepEqual(listing.entries.map((e: { name: string; bytes: number }) => [e.name, e.bytes]), [['remote.bin', bytes.length]]);
    const down = await fetch(`${gw.url}/api/sessions/${id}/files/in/remote.bin`, { headers: auth() });
    assert.equal(down.status, 200);
    assert.equal(sha(Buffer.from(await down.arrayBuffer())), sha(bytes));
  });

  test('refusals come back with their sentences: a link, a bad path, a missing file, an upload past the limit', async () => {
    fs.symlinkSync('/etc/shadow', path.join(home, 'shadow'));
    const link = await fetch(`${gw.url}/api/sessions/${id}/files/shadow`, { headers: auth() });
    assert.equal(link.status, 400);
    assert.match((await link.json()).error.message, /link/);
    assert.equal((await fetch(`${gw.url}/api/sessions/${id}/files/${encodeURIComponent('../x')}`, { headers: auth() })).status, 400);
    assert.equal((await fetch(`${gw.url}/api/sessions/${id}/files/missing`, { headers: auth() })).status, 404);
    const big = randomBytes(UPLOAD_MAX + 1);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < big.length; i += 64 * 1024) c.enqueue(big.subarray(i, i + 64 * 1024));
        c.close();
      },
    });
    const tooBig = await fetch(`${gw.url}/api/sessions/${id}/files/big.bin`, { method: 'PUT', body: stream, headers: auth(), duplex: 'half' } as RequestInit).catch(() => null);
    if (tooBig) assert.equal(tooBig.status, 413);
    assert.deepEqual(fs.readdirSync(home).filter((n) => n.startsWith('big') || n.startsWith('.portico-upload')), []);
  });

  test('the vmhost takes file operations only with a files token for that session', async () => {
    const tokens = createVmhostTokens(secret);
    const at = `${vmhost.url.replace(/\/$/, '')}/vms/${id}/files?path=`;
    assert.equal((await fetch(at)).status, 401);
    const connect = await tokens.mint({ op: 'connect', sessionId: id, userId: user.id, role: 'user' });
    assert.equal((await fetch(at, { headers: { authorization: `Bearer ${connect}` } })).status, 403);
    const other = await tokens.mint({ op: 'files', sessionId: 'AAAAAAAAAAAA', userId: user.id, role: 'user' });
    assert.equal((await fetch(at, { headers: { authorization: `Bearer ${other}` } })).status, 403);
    const right = await tokens.mint({ op: 'files', sessionId: id, userId: user.id, role: 'user' });
    assert.equal((await fetch(at, { headers: { authorization: `Bearer ${right}` } })).status, 200);
  });
});

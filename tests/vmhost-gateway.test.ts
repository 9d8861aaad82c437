import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { createVmhostTokens } from '../lib/auth/vmhost-tokens';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { freePort } from '../lib/net/ports';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { startVmhost, type VmhostProcess } from './helpers/vmhost-process';
import { hubReader } from './helpers/hub-client';
import { RfbTestClient } from './helpers/rfb-client';

// `npm run vmhost`: the local VM provider as a process of its own, and a gateway with VMHOST_URL that runs
// no VM itself — it starts and stops them on the vmhost and proxies each viewer there with a token for that
// session alone. Real Xvnc in real sandboxes, a real vmhost child process, real `ws` clients.


/**
 * Processes of a session's desktop: its outer chain carries PORTICO_VM=<id> in its environment (vm-host.ts),
 * and everything inside the sandbox (clearenv) descends from that chain.
 */
function desktopPids(sessionId: string): number[] {
  const parent = new Map<number, number>();
  const marked = new Set<number>();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number)) {
    try {
      parent.set(pid, Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]));
      if (fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`PORTICO_VM=${sessionId}`)) marked.add(pid);
    } catch {
      // gone, or a kernel thread
    }
  }
  const inSession = (pid: number): boolean => {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) if (marked.has(p)) return true;
    return false;
  };
  return [...parent.keys()].filter(inSession);
}

function xvncOf(sessionId: string): number | undefined {
  return desktopPids(sessionId).find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('Xvnc');
    } catch {
      return false;
    }
  });
}

function firstBytes(ws: WebSocket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const on = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= n) (ws.off('message', on), resolve(got));
    };
    ws.on('message', on);
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition') {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const notRoot = process.getuid?.() === 0 ? null : 'the vmhost tests start sandboxed VMs, which needs root';

describe('a gateway with VMHOST_URL and a vmhost process', { skip: localVncMissing() ?? notRoot ?? false, timeout: 120_000 }, () => {
  const secret = randomBytes(48).toString('base64url');
  let gw: TestGateway;
  let vmhost: VmhostProcess;
  let port: number;
  let user: { id: string; token: string };
  const viewer = (id: string, token = user.token) => gw.open(`/api/sessions/${id}/vnc?token=${token}`, { protocols: ['binary'] });

  before(async () => {
    port = await freePort();
    // The gateway first: it creates the store the vmhost then shares.
    gw = await startGateway({ VMHOST_URL: `http://127.0.0.1:${port}`, VMHOST_SECRET: secret });
    vmhost = await startVmhost(gw, secret, port);
    user = await gw.createUser('vm-user');
  });
  after(async () => {
    // Whatever a failed test left: a live vmhost deletes the sessions' VMs, homes and cgroups.
    if (gw && vmhost && vmhost.proc.exitCode === null && vmhost.proc.signalCode === null) {
      for (const s of (await gw.api('GET', '/api/sessions', { token: user.token })).body as { id: string }[]) {
        await gw.api('DELETE', `/api/sessions/${s.id}`, { token: user.token });
      }
    }
    await vmhost?.stop('SIGTERM');
    await gw?.close();
  });

  test('create → a VM on the vmhost, none in the gateway; RFB through gateway and vmhost; delete stops it there', async () => {
    assert.equal(gw.portico.localVnc, null, 'the gateway runs no local VM provider');
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'on the vmhost' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'local');
    assert.equal(created.body.status, 'running');
    const id: string = created.body.id;
    assert.ok(xvncOf(id), 'an Xvnc runs for the session');
    // The desktop belongs to the vmhost's process tree, not the gateway's (this test process).
    const health = await (await fetch(`${vmhost.url}/healthz`)).json();
    assert.equal(health.vms, 1);

    const ws = viewer(id);
    const banner = firstBytes(ws, 12);
    await opened(ws);
    assert.equal(ws.protocol, 'binary');
    assert.equal((await banner).toString('latin1'), 'RFB 003.008\n');
    ws.close();
    await closed(ws);

    assert.equal((await gw.api('DELETE', `/api/sessions/${id}`, { token: user.token })).status, 204);
    assert.deepEqual(desktopPids(id), [], 'the desktop stopped');
    assert.equal((await (await fetch(`${vmhost.url}/healthz`)).json()).vms, 0);
    assert.equal(fs.existsSync(path.join(gw.portico.config.dataDir, 'vnc', id)), false, 'its home is gone');
  });

  test('the vmhost takes only its own tokens, each for one operation on one session', async () => {
    const a = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'a' } });
    const b = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'b' } });
    const tokens = createVmhostTokens(secret);
    const mint = (op: 'connect' | 'delete', sessionId: string) => tokens.mint({ op, sessionId, userId: user.id, role: 'user' });
    const direct = (id: string, headers: Record<string, string> = {}) => new WebSocket(`${vmhost.url.replace(/^http/, 'ws')}/vnc/${id}`, ['binary'], { headers });
    try {
      // The control: A's token opens A.
      const ok = direct(a.body.id, { authorization: `Bearer ${await mint('connect', a.body.id)}` });
      const banner = firstBytes(ok, 12);
      await opened(ok);
      assert.equal((await banner).toString('latin1'), 'RFB 003.008\n');
      ok.close();
      await closed(ok);

      assert.equal((await closed(direct(b.body.id, { authorization: `Bearer ${await mint('connect', a.body.id)}` }))).status, 403, "A's token does not open B");
      assert.equal((await closed(direct(a.body.id, { authorization: `Bearer ${await mint('delete', a.body.id)}` }))).status, 403, 'a delete token does not open a viewer');
      assert.equal((await closed(direct(a.body.id))).status, 401, 'no token');
      assert.equal((await closed(direct(a.body.id, { authorization: `Bearer ${user.token}` }))).status, 401, "the user's own sign-in token");
      assert.equal((await closed(direct(a.body.id, { authorization: `Bearer ${await createVmhostTokens('x'.repeat(48)).mint({ op: 'connect', sessionId: a.body.id, userId: user.id, role: 'user' })}` }))).status, 401, 'signed with another secret');

      // The HTTP API likewise: nothing starts or stops without the right token.
      const del = await fetch(`${vmhost.url}/vms/${b.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${await mint('delete', a.body.id)}` } });
      assert.equal(del.status, 403);
      assert.match((await del.json()).error.message, /another session/);
      assert.equal((await fetch(`${vmhost.url}/vms/${b.body.id}`, { method: 'DELETE' })).status, 401);
      assert.equal((await fetch(`${vmhost.url}/status`)).status, 401);
      assert.ok(xvncOf(b.body.id), 'B still runs');
    } finally {
      await gw.api('DELETE', `/api/sessions/${a.body.id}`, { token: user.token });
      await gw.api('DELETE', `/api/sessions/${b.body.id}`, { token: user.token });
    }
  });

  test("another user's session: 4403 at the gateway, before anything reaches the vmhost", async () => {
    const s = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'private' } });
    const other = await gw.createUser('nosy');
    try {
      assert.equal((await closed(viewer(s.body.id, other.token))).code, 4403);
      assert.equal((await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: other.token })).status, 403);
    } finally {
      await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: user.token });
    }
  });

  test("a share link's rights travel to the vmhost: a view-only guest's keys do nothing there, an interactive one's do; revoke closes with 4403", async () => {
    const s = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'shared on the vmhost' } });
    const home = path.join(gw.portico.config.dataDir, 'vnc', s.body.id, 'home');
    const share = async (rights: string, who: { token: string }) => {
      const made = await gw.api('POST', `/api/sessions/${s.body.id}/shares`, { token: user.token, body: { rights, expires: '1h' } });
      assert.equal((await gw.api('POST', `/api/shares/${made.body.path.slice(7)}/accept`, { token: who.token })).status, 200);
      return made.body.share.id as string;
    };
    const watcher = await gw.createUser('vmhost-watcher');
    const helper = await gw.createUser('vmhost-helper');
    try {
      const viewOnly = await share('view-only', watcher);
      await share('interactive', helper);
      const ownerRfb = new RfbTestClient(viewer(s.body.id));
      await opened(ownerRfb.ws);
      await ownerRfb.handshake(true);
      await ownerRfb.waitForColour(100, 100, 0x1b1c1a);
      const guest = new RfbTestClient(viewer(s.body.id, watcher.token));
      await opened(guest.ws);
      await guest.handshake(false);
      guest.click(100, 100);
      guest.type('touch ~/blocked');
      await guest.roundTrip();
      const worker = new RfbTestClient(viewer(s.body.id, helper.token));
      await opened(worker.ws);
      await worker.handshake(true);
      worker.click(100, 100);
      worker.type('touch ~/written');
      await waitFor(() => fs.existsSync(path.join(home, 'written')), 10_000, 'the interactive guest wrote a file');
      assert.equal(fs.existsSync(path.join(home, 'blocked')), false, 'the view-only guest typed nothing');
      const closing = closed(guest.ws);
      assert.equal((await gw.api('DELETE', `/api/sessions/${s.body.id}/shares/${viewOnly}`, { token: user.token })).status, 204);
      assert.equal((await closing).code, 4403);
      assert.equal((await closed(viewer(s.body.id, watcher.token))).code, 4403);
      ownerRfb.ws.close();
      worker.ws.close();
    } finally {
      await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: user.token });
    }
  });

  test('a VM that dies: the viewer gets 1014, the session is marked stopped and the hub says so', async () => {
    const s = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'doomed' } });
    const hub = gw.open(`/api/events?token=${user.token}`);
    const events = hubReader(hub);
    await opened(hub);
    hub.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
    try {
      const ws = viewer(s.body.id);
      const banner = firstBytes(ws, 12);
      await opened(ws);
      await banner;
      const killedAt = Date.now();
      process.kill(xvncOf(s.body.id)!, 'SIGKILL');
      const c = await closed(ws);
      assert.equal(c.code, 1014);
      assert.ok(Date.now() - killedAt < 2000, 'closed within 2 s');
      // The vmhost marks the record; the gateway hears of it on its next poll and tells the hub.
      const said = await events.until((m) => m.type === 'event' && (m.data as { session?: { id: string; status: string } }).session?.id === s.body.id && (m.data as { session: { status: string } }).session.status === 'stopped', 8000);
      assert.equal((said.data as { change: string }).change, 'updated');
      assert.equal((await gw.api('GET', `/api/sessions/${s.body.id}`, { token: user.token })).body.status, 'stopped');
      assert.equal((await closed(viewer(s.body.id))).code, 1014, 'a stopped VM is unreachable, not a hang');
    } finally {
      hub.close();
      await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: user.token });
    }
  });

  test('the vmhost killed: viewers and new sessions are refused with a sentence, and a new vmhost resumes the VM', async () => {
    const s = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'survivor' } });
    assert.equal(s.status, 201);
    const ws = viewer(s.body.id);
    await opened(ws);
    // Listening before the kill: the close may come before the vmhost's exit is reported.
    const ended = closed(ws);
    try {
      await vmhost.stop('SIGKILL');
      // The desktop dies with the vmhost (setpriv --pdeathsig), and the open viewer learns of it.
      assert.equal((await ended).code, 1014);
      await waitFor(() => desktopPids(s.body.id).length === 0, 5000, 'the desktop died with the vmhost');

      const refused = await closed(viewer(s.body.id));
      assert.equal(refused.code, 1014);
      assert.match(refused.reason, /unreachable/);
      const create = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'not now' } });
      assert.equal(create.status, 503);
      assert.match(create.body.error.message, /VM host .*does not answer/);
      const info = await gw.api('GET', '/api/vm-provider', { token: user.token });
      assert.equal(info.body.available, false);
      assert.match(info.body.sentence, /VM host .*does not answer/);
      // The record stays while its VM cannot be stopped.
      const del = await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: user.token });
      assert.equal(del.status, 503);
      assert.match(del.body.error.message, /VM host is unreachable/);
    } finally {
      // A new vmhost sweeps what the old one left and starts the session's VM again.
      vmhost = await startVmhost(gw, secret, port);
    }
    assert.ok(xvncOf(s.body.id), 'resumed');
    const again = viewer(s.body.id);
    const banner = firstBytes(again, 12);
    await opened(again);
    assert.equal((await banner).toString('latin1'), 'RFB 003.008\n');
    again.close();
    await closed(again);
    assert.equal((await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: user.token })).status, 204);
    assert.deepEqual(desktopPids(s.body.id), []);
  });

  test('the vmhost stopped (SIGTERM): viewers get 1001 through the gateway, it exits 0, and its sessions come back with it', async () => {
    const s = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'across a restart' } });
    const ws = viewer(s.body.id);
    await opened(ws);
    const ended = closed(ws);
    try {
      assert.equal(await vmhost.stop('SIGTERM'), 0, vmhost.output());
      assert.equal((await ended).code, 1001);
      assert.deepEqual(desktopPids(s.body.id), [], 'its VMs stop with it');
      assert.equal((await gw.api('GET', `/api/sessions/${s.body.id}`, { token: user.token })).body.status, 'running', 'a stop is not an exit');
    } finally {
      vmhost = await startVmhost(gw, secret, port);
    }
    assert.ok(xvncOf(s.body.id), 'resumed');
    assert.equal((await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: user.token })).status, 204);
  });
});

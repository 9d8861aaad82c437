import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { freePort, waitForPort } from '../lib/net/ports';
import { closed as closedUnbounded, opened as openedUnbounded, startGateway, type TestGateway } from './helpers/gateway';
import { xvncOf } from './helpers/desktop-process';

// Every wait here is bounded: a desktop that never answers fails its test with what it waited for, instead
// of holding the whole run until the runner's timeout.
function within<T>(p: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
const opened = (ws: WebSocket) => within(openedUnbounded(ws), 'the viewer socket did not open');
const closed = (ws: WebSocket) => within(closedUnbounded(ws), 'the viewer socket did not close');

// The local VM provider for real: TigerVNC's Xvnc with an xterm, reached through the gateway's bridge.

/** The first n bytes the viewer receives; a socket that closes or stays silent first fails the test, saying what came. */
function firstBytes(ws: WebSocket, n: number, ms = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      ws.off('message', on).off('close', onClose);
      if (err) reject(err);
      else resolve(got);
    };
    const on = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= n) done();
    };
    const onClose = (code: number, reason: Buffer) => done(new Error(`the viewer closed (${code} ${reason}) after ${got.length} of ${n} bytes`));
    const timer = setTimeout(() => done(new Error(`only ${got.length} of ${n} bytes within ${ms} ms (socket ${ws.readyState === ws.OPEN ? 'open' : 'not open'})`)), ms);
    ws.on('message', on).on('close', onClose);
  });
}

/** Whether `pid` is still a live Xvnc (not gone, not a zombie awaiting its parent). */
function xvncAlive(pid: number): boolean {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('Xvnc');
  } catch {
    return false;
  }
}

/** The uid a process runs as. */
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

const websockifyMissing = fs.existsSync('/usr/bin/websockify') ? null : 'websockify is not installed (apt-get install -y websockify)';

describe('local VM sessions', { skip: localVncMissing() ?? websockifyMissing ?? false }, () => {
  let gw: TestGateway;
  let user: { id: string; token: string };
  before(async () => {
    gw = await startGateway({ VNC_PROVIDER: 'local', VNC_TARGET_ALLOW: '127.0.0.1' });
    user = await gw.createUser('vm-user');
  });
  after(() => gw.close());

  test('create → Xvnc, on a Unix socket only, speaks RFB through the bridge → delete stops it', async () => {
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'scratch vm' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'local');
    assert.equal(created.body.status, 'running');
    const vm = gw.portico.localVnc!.get(created.body.id)!;
    // This session's own Xvnc, by ancestry: other test files run desktops with the same uids beside this one.
    const xvnc = xvncOf(gw.portico.config.dataDir, created.body.id);
    assert.equal(uidOf(xvnc), vm.uid ?? process.getuid!(), 'Xvnc is running as the session uid');
    // No TCP port at all (its network namespace is its own), and a socket only root and its uid can open.
    for (const table of ['tcp', 'tcp6']) {
      const listening: string[] = fs.readFileSync(`/proc/${xvnc}/net/${table}`, 'utf8').split('\n').slice(1).filter((l) => / 0A /.test(l));
      assert.deepEqual(listening, [], `no ${table} listener`);
    }
    const st = fs.statSync(vm.socketPath);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, vm.uid ?? process.getuid!());

    const ws = gw.open(`/api/sessions/${created.body.id}/vnc?token=${user.token}`, { protocols: ['binary'] });
    const banner = firstBytes(ws, 12);
    await opened(ws);
    assert.equal((await banner).toString('latin1'), 'RFB 003.008\n');
    ws.close();
    await closed(ws);

    assert.equal((await gw.api('DELETE', `/api/sessions/${created.body.id}`, { token: user.token })).status, 204);
    assert.equal(xvncAlive(xvnc), false, 'Xvnc stopped');
    assert.equal((await gw.api('GET', '/api/sessions', { token: user.token })).body.length, 0);
  });

  test('the VM dying mid-session closes the viewer within 2 s with 1014 and marks the session stopped', async () => {
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'doomed' } });
    const ws = gw.open(`/api/sessions/${created.body.id}/vnc?token=${user.token}`, { protocols: ['binary'] });
    const banner = firstBytes(ws, 12);
    await opened(ws);
    await banner;
    const killedAt = Date.now();
    // This session's own Xvnc, by ancestry: a uid may be another server's on this host too.
    process.kill(xvncOf(gw.portico.config.dataDir, created.body.id), 'SIGKILL');
    const c = await closed(ws);
    assert.equal(c.code, 1014);
    assert.ok(Date.now() - killedAt < 2000);
    await waitFor(async () => (await gw.api('GET', `/api/sessions/${created.body.id}`, { token: user.token })).body.status === 'stopped');
    const again = await closed(gw.open(`/api/sessions/${created.body.id}/vnc?token=${user.token}`, { protocols: ['binary'] }));
    assert.equal(again.code, 1014);
  });

  test("through Debian's websockify (a ws:// target), the `binary` subprotocol and RFB pass intact", async () => {
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'behind websockify' } });
    const vm = gw.portico.localVnc!.get(created.body.id)!;
    const wsPort = await freePort();
    const websockify = spawn('websockify', [`127.0.0.1:${wsPort}`, `--unix-target=${vm.socketPath}`], { stdio: 'ignore' });
    try {
      await waitForPort(wsPort);
      const external = await gw.api('POST', '/api/sessions', {
        token: gw.adminToken,
        body: { name: 'external', target: `ws://127.0.0.1:${wsPort}/websockify`, ownerId: user.id },
      });
      assert.equal(external.status, 201, JSON.stringify(external.body));
      const ws = gw.open(`/api/auth/session/${external.body.id}/novnc/websock?token=${user.token}`, { protocols: ['binary'] });
      const banner = firstBytes(ws, 12);
      await opened(ws);
      assert.equal(ws.protocol, 'binary');
      assert.equal((await banner).toString('latin1'), 'RFB 003.008\n');
      ws.close();
      await closed(ws);
    } finally {
      websockify.kill('SIGKILL');
      await gw.api('DELETE', `/api/sessions/${created.body.id}`, { token: user.token });
    }
  });

  test('another user cannot reach the session (4403), nor delete it (403)', async () => {
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'private' } });
    const other = await gw.createUser('nosy');
    assert.equal((await closed(gw.open(`/api/sessions/${created.body.id}/vnc?token=${other.token}`, { protocols: ['binary'] }))).code, 4403);
    assert.equal((await gw.api('DELETE', `/api/sessions/${created.body.id}`, { token: other.token })).status, 403);
    await gw.api('DELETE', `/api/sessions/${created.body.id}`, { token: user.token });
  });
});

describe('the bridge under a slow reader', () => {
  test('a client that stops reading does not grow the server memory without bound', async () => {
    // A VNC-like server that writes as fast as the socket lets it, honouring backpressure.
    let sent = 0;
    const flood = net.createServer((c) => {
      c.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 0x55);
      const pump = () => {
        while (c.writable && c.write(chunk)) sent += chunk.length;
        if (c.writable) sent += chunk.length;
      };
      c.on('drain', pump);
      pump();
    });
    await new Promise<void>((r) => flood.listen(0, '127.0.0.1', () => r()));
    const gw = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.1' });
    try {
      const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'flood', target: `tcp://127.0.0.1:${(flood.address() as net.AddressInfo).port}` } });
      const ws = gw.open(`/api/sessions/${s.body.id}/vnc?token=${gw.adminToken}`, { protocols: ['binary'] });
      await opened(ws);
      // Stop reading: the browser tab is frozen.
      (ws as unknown as { _socket: net.Socket })._socket.pause();
      const rssBefore = process.memoryUsage().rss;
      await new Promise((r) => setTimeout(r, 1500));
      const sentMid = sent;
      await new Promise((r) => setTimeout(r, 1500));
      const growth = process.memoryUsage().rss - rssBefore;
      assert.ok(sent - sentMid < 1024 * 1024, `the VM kept sending: ${sent - sentMid} more bytes while the client was paused`);
      assert.ok(sent < 64 * 1024 * 1024, `sent ${sent} bytes into a paused client`);
      assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${growth} bytes`);
      ws.terminate();
    } finally {
      await gw.close();
      await new Promise((r) => flood.close(r));
    }
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 3000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

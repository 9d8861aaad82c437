import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { localVncMissing } from '../../lib/sessions/local-vnc';
import { closed, nextMessage, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { startSilentVm } from './raw-upgrade';

// Finding 12: a VM that accepts but never speaks (a SIGSTOP'd Xvnc) got the viewer a 101 and then
// silence. The bridge now waits for the RFB greeting before it answers the browser: a silent VM is a 1014
// within the connect timeout, and a VM that greets is relayed from its first byte.

const TIMEOUT_MS = 800;
let gw: TestGateway;
let silent: Awaited<ReturnType<typeof startSilentVm>>;
let slow: net.Server;
const GREETING = Buffer.from('RFB 003.008\n', 'latin1');

before(async () => {
  silent = await startSilentVm();
  // Greets after a pause, well inside the timeout, in two pieces.
  slow = net.createServer((c) => {
    c.on('error', () => undefined);
    setTimeout(() => c.write(GREETING.subarray(0, 4)), 100);
    setTimeout(() => c.write(GREETING.subarray(4)), 200);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  gw = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.1', UPSTREAM_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS) });
});
after(async () => {
  await gw.close();
  await silent.close();
  await new Promise((r) => slow.close(r));
});

async function session(target: string): Promise<string> {
  const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'vm', target } });
  assert.equal(s.status, 201);
  return s.body.id;
}

test('a VM that accepts and stays silent: 1014 within the connect timeout, never an open socket', { timeout: 5000 }, async () => {
  const id = await session(`tcp://127.0.0.1:${silent.port}`);
  const started = Date.now();
  const ws = gw.open(`/api/sessions/${id}/vnc?token=${gw.adminToken}`, { protocols: ['binary'] });
  let messages = 0;
  ws.on('message', () => messages++);
  const end = await closed(ws);
  const took = Date.now() - started;
  assert.equal(end.code, 1014, JSON.stringify(end));
  assert.match(end.reason, /greet/);
  assert.equal(messages, 0);
  assert.ok(took < TIMEOUT_MS + 1000, `closed after ${took} ms`);
  assert.equal(silent.openConnections, 0, 'the VM connection was dropped');
});

test('a VM that greets late is relayed from its first byte', async () => {
  const id = await session(`tcp://127.0.0.1:${(slow.address() as net.AddressInfo).port}`);
  const ws = gw.open(`/api/sessions/${id}/vnc?token=${gw.adminToken}`, { protocols: ['binary'] });
  const first = nextMessage(ws);
  await opened(ws);
  assert.ok((await first).data.equals(GREETING));
  ws.close();
  await closed(ws);
});

// The finding as reported: a local VM whose Xvnc is stopped (SIGSTOP) accepts on its socket and says nothing.
describe('a stopped local VM', { skip: localVncMissing() ?? false }, () => {
  let local: TestGateway;
  before(async () => {
    local = await startGateway({ VNC_PROVIDER: 'local', UPSTREAM_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  after(() => local.close());

  test('SIGSTOP on Xvnc: the viewer gets 1014 within the connect timeout; SIGCONT: it greets again', { timeout: 20_000 }, async () => {
    const s = await local.api('POST', '/api/sessions', { token: local.adminToken, body: { name: 'frozen' } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const vm = local.portico.localVnc!.get(s.body.id)!;
    const xvnc = xvncRunningAs(vm.uid ?? process.getuid!());
    process.kill(xvnc, 'SIGSTOP');
    try {
      const started = Date.now();
      const ws = local.open(`/api/sessions/${s.body.id}/vnc?token=${local.adminToken}`, { protocols: ['binary'] });
      const end = await closed(ws);
      assert.equal(end.code, 1014, JSON.stringify(end));
      assert.ok(Date.now() - started < TIMEOUT_MS + 1000);
    } finally {
      process.kill(xvnc, 'SIGCONT');
    }
    const ws = local.open(`/api/sessions/${s.body.id}/vnc?token=${local.adminToken}`, { protocols: ['binary'] });
    const first = nextMessage(ws);
    await opened(ws);
    assert.equal((await first).data.toString('latin1'), 'RFB 003.008\n');
    ws.close();
    await closed(ws);
  });
});

function xvncRunningAs(uid: number): number {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('Xvnc') && fs.statSync(`/proc/${pid}`).uid === uid) return Number(pid);
    } catch {
      // gone already
    }
  }
  throw new Error(`no Xvnc runs as uid ${uid}`);
}

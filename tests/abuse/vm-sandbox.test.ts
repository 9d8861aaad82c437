import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localVncMissing } from '../../lib/sessions/local-vnc';
import { ADMIN, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { rfbSession } from './rfb-typist';
import { waitUntil } from './raw-upgrade';
import { startServerAsNobody } from './fixtures/server-as-nobody';

// Finding 1: a normal user's VM was a shell on the host as the server's user (uid 0 here), with the
// server's secrets in its environment and every other desktop one TCP connect away. Here a normal user
// types into their own VM's xterm, through the gateway, exactly as the viewer does, and each command's
// result lands in a file of the VM's home, which the test reads from the host.

const SECRETS = { JWT_SECRET: 's'.repeat(48), EMIT_TOKEN: 'emit-token-that-must-not-leak', ADMIN_PASSWORD: 'admin-password-1' };

describe('a local VM is a sandbox', { skip: localVncMissing() ?? false }, () => {
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let aliceVm: string;
  let bobVm: string;
  let dataDir: string;

  before(async () => {
    gw = await startGateway({ VNC_PROVIDER: 'local', ...SECRETS });
    dataDir = gw.portico.config.dataDir;
    alice = await gw.createUser('alice');
    bob = await gw.createUser('bob');
    const a = await gw.api('POST', '/api/sessions', { token: alice.token, body: { name: 'alice vm' } });
    const b = await gw.api('POST', '/api/sessions', { token: bob.token, body: { name: 'bob vm' } });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    aliceVm = a.body.id;
    bobVm = b.body.id;
  });
  after(() => gw.close());

  test("alice's terminal: another uid, no secret, no DATA_DIR, no way to bob's desktop or any TCP", { timeout: 30_000 }, async () => {
    const home = path.join(dataDir, 'vnc', aliceVm, 'home');
    // Where bob's RFB socket is on the host; and where a VNC server would listen over TCP.
    const bobSocket = path.join(dataDir, 'vnc', bobVm, 'run', 'rfb.sock');
    const gwPort = new URL(gw.url).port;
    const ws = gw.open(`/api/sessions/${aliceVm}/vnc?token=${alice.token}`, { protocols: ['binary'] });
    const rfb = rfbSession(ws);
    await opened(ws);
    const term = await rfb;
    const probe = (cmd: string) => `import socket,sys\ntry:\n ${cmd}\n print("connected")\nexcept Exception as e:\n print("refused", type(e).__name__)`;
    fs.writeFileSync(path.join(home, 'unix.py'), probe(`s=socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(bobSocket)})`));
    fs.writeFileSync(path.join(home, 'tcp.py'), probe(`socket.create_connection(("127.0.0.1", ${gwPort}), timeout=2)`));
    fs.writeFileSync(path.join(home, 'tcp5901.py'), probe('socket.create_connection(("127.0.0.1", 5901), timeout=2)'));
    for (const f of ['unix.py', 'tcp.py', 'tcp5901.py']) fs.chmodSync(path.join(home, f), 0o644);
    const line =
      `id -u > ~/uid; env > ~/env; (ls ${dataDir} ; cat ${dataDir}/jwt-secret ${dataDir}/portico.db) > ~/data 2>&1; ` +
        `python3 ~/unix.py > ~/unix; python3 ~/tcp.py > ~/tcp; python3 ~/tcp5901.py > ~/tcp5901; ls /proc | grep -c '^[0-9]' > ~/procs; ` +
        `(touch /x /dev/x; head -c 100000000 /dev/zero > /tmp/big; head -c 100000000 /dev/zero > /dev/shm/big; ls -l /tmp/big /dev/shm/big) > ~/memfs 2>&1; rm -f /tmp/big /dev/shm/big; echo ok > ~/done`;
    // The xterm maps a moment after Xvnc listens; keys sent before that are lost, so type again until the
    // last command has run (each command only overwrites its own file).
    for (let attempt = 1; !fs.existsSync(path.join(home, 'done')); attempt++) {
      term.type(line);
      await waitUntil(() => fs.existsSync(path.join(home, 'done')), 3000, () => `no result file in ${home}: ${fs.readdirSync(home).join(' ')}`).catch((err) => {
        if (attempt === 5) throw err;
      });
    }
    const read = (f: string) => fs.readFileSync(path.join(home, f), 'utf8').trim();
    ws.terminate();

    const uid = Number(read('uid'));
    assert.notEqual(uid, 0, 'not root');
    assert.notEqual(uid, process.getuid!(), "not the server's uid");
    const env = read('env');
    for (const [name, value] of Object.entries(SECRETS)) {
      assert.ok(!env.includes(name) && !env.includes(value), `${name} is in the VM's environment`);
    }
    assert.ok(!/PORTICO|DATA_DIR/.test(env), `server variables in the VM's environment:\n${env}`);
    // Every one of the three commands failed: DATA_DIR is not there at all.
    const data = read('data').split('\n');
    assert.equal(data.length, 3, read('data'));
    for (const l of data) assert.match(l, /No such file or directory/);
    assert.match(read('unix'), /^refused/, "bob's VNC socket is reachable");
    assert.match(read('tcp'), /^refused/, 'the gateway is reachable over TCP');
    assert.match(read('tcp5901'), /^refused/);
    assert.ok(Number(read('procs')) < 10, `the VM sees ${read('procs')} processes`);
    // Nothing memory-backed grows without a size: the sandbox's root and /dev are read-only, /tmp and
    // /dev/shm stop at their size (64 MiB), well short of the 100 MB each write asked for.
    const memfs = read('memfs');
    assert.match(memfs, /touch: cannot touch '\/x': Read-only file system/);
    assert.match(memfs, /touch: cannot touch '\/dev\/x': Read-only file system/);
    assert.equal((memfs.match(/No space left on device/g) ?? []).length, 2, memfs);
    for (const m of memfs.matchAll(/ (\d+) \w+ +\d+ [\d:]+ (\/\S+)$/gm)) assert.ok(Number(m[1]) <= 64 * 1024 * 1024, `${m[2]} holds ${m[1]} bytes`);
  });

  test("on the host too, alice's uid cannot open bob's socket, nor read DATA_DIR's files", () => {
    const a = gw.portico.localVnc!.get(aliceVm)!;
    const b = gw.portico.localVnc!.get(bobVm)!;
    assert.notEqual(a.uid, b.uid);
    const sock = fs.statSync(b.socketPath);
    assert.equal(sock.uid, b.uid);
    assert.equal(sock.mode & 0o077, 0, 'socket open to other uids');
    assert.equal(fs.statSync(path.dirname(b.socketPath)).mode & 0o077, 0);
    for (const f of ['portico.db', 'portico.db-wal']) assert.equal(fs.statSync(path.join(dataDir, f)).mode & 0o077, 0, `${f} readable by others`);
    assert.equal(fs.statSync(dataDir).mode & 0o777, 0o711);
  });
});

// Where no sandbox can start (here: the server is not root, so it has no other uid to run a desktop as),
// the server says so, and only admins may start a local VM.
describe('without a sandbox, local VMs are admin-only', { skip: localVncMissing() ?? (process.getuid?.() !== 0 ? 'needs root to start a server as another uid' : false) }, () => {
  let server: Awaited<ReturnType<typeof startServerAsNobody>>;
  let url: string;

  before(async () => {
    server = await startServerAsNobody();
    url = server.url;
  });
  after(() => server.stop());

  async function call(method: string, pathname: string, token: string, body?: unknown) {
    const r = await fetch(url + pathname, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: await r.json().catch(() => null) };
  }
  async function login(username: string, password: string): Promise<string> {
    const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return ((await r.json()) as { token: string }).token;
  }

  test('the server says why in one sentence; a user gets 403 with it, an admin may still start one', { timeout: 30_000 }, async () => {
    const out = server.output();
    const sentence = /^Local VMs cannot be sandboxed here \(.+\), so only admins can start them\.$/m.exec(out)?.[0];
    assert.ok(sentence, `no sentence on stdout:\n${out}`);
    const admin = await login(ADMIN.username, ADMIN.password);
    assert.equal((await call('POST', '/api/users', admin, { username: 'carol', password: 'user-password-1' })).status, 201);
    const carol = await login('carol', 'user-password-1');

    assert.deepEqual((await call('GET', '/api/vm-provider', carol)).body, { available: true, sandboxed: false, canStart: false, sentence });
    const refused = await call('POST', '/api/sessions', carol, { name: 'mine' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.message, sentence);
    assert.deepEqual((await call('GET', '/api/sessions', carol)).body, []);

    assert.deepEqual((await call('GET', '/api/vm-provider', admin)).body, { available: true, sandboxed: false, canStart: true, sentence });
    const started = await call('POST', '/api/sessions', admin, { name: 'admin vm' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal((await call('DELETE', `/api/sessions/${started.body.id}`, admin)).status, 204);
  });
});

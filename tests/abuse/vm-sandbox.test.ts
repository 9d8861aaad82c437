import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localVncMissing } from '../../lib/sessions/local-vnc';
import { opened, startGateway, type TestGateway } from '../helpers/gateway';
import { rfbSession } from './rfb-typist';
import { waitUntil } from './raw-upgrade';

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
        `python3 ~/unix.py > ~/unix; python3 ~/tcp.py > ~/tcp; python3 ~/tcp5901.py > ~/tcp5901; ls /proc | grep -c '^[0-9]' > ~/procs; echo ok > ~/done`;
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

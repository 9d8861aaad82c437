import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localVncMissing } from '../../lib/sessions/local-vnc';
import { ADMIN, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { rfbSession } from './rfb-typist';
import { waitUntil } from './raw-upgrade';
import { startServerAsNobody } from './fixtures/server-as-nobody';

// Issue 10 point 9: a VM's home had no size limit, so a normal user typing a loop of `head -c … > f$i`
// into their xterm filled the host's disk (each file was capped at 2 GiB, the total was not). Here alice
// types exactly that, through the gateway as the viewer does, and tries to write 16 × 64 MiB into a home
// limited to 32 MiB.

const MiB = 1024 ** 2;
const LIMIT = 32 * MiB;
const needsRoot = process.getuid?.() !== 0 ? 'needs root (the sandbox and loop mounts)' : false;

/** Mount points under `dir`, from the kernel's table. */
function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(dir + '/'));
}

/** Bytes a directory tree takes on the host's disk it is on (allocated blocks; other mounts not entered). */
function allocated(dir: string, dev = fs.statSync(dir).dev): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const st = fs.lstatSync(path.join(dir, e.name));
    if (st.dev !== dev) continue;
    n += st.isDirectory() ? allocated(path.join(dir, e.name), dev) : st.blocks * 512;
  }
  return n;
}

describe("a VM's home cannot fill the host's disk", { skip: localVncMissing() ?? needsRoot }, () => {
  let dataDir: string;
  let gw: TestGateway;
  let alice: { id: string; token: string };

  const env = () => ({ VNC_PROVIDER: 'local', VM_HOME_MAX_BYTES: String(LIMIT), DATA_DIR: dataDir });
  const start = async (token: string) => {
    const r = await gw.api('POST', '/api/sessions', { token, body: { name: 'vm' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-vm-home-'));
    fs.chmodSync(dataDir, 0o711);
    gw = await startGateway(env());
    alice = await gw.createUser('alice');
  });
  after(async () => {
    await gw?.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('writing 1 GiB into a 32 MiB home: No space left on device, and the host keeps its space', { timeout: 120_000 }, async () => {
    const id = await start(alice.token);
    const dir = path.join(dataDir, 'vnc', id);
    const home = path.join(dir, 'home');
    const freeBefore = fs.statfsSync(dataDir).bavail * fs.statfsSync(dataDir).bsize;

    const ws = gw.open(`/api/sessions/${id}/vnc?token=${alice.token}`, { protocols: ['binary'] });
    const rfb = rfbSession(ws);
    await opened(ws);
    const term = await rfb;
    // The xterm maps a moment after Xvnc listens; keys sent before that are lost, so type until it answers.
    for (let attempt = 1; !fs.existsSync(path.join(home, 'ready')); attempt++) {
      term.type('touch ~/ready');
      await waitUntil(() => fs.existsSync(path.join(home, 'ready')), 3000, () => `no answer in ${home}`).catch((err) => {
        if (attempt === 5) throw err;
      });
    }
    // Fill, and report what the programs were told and what the home holds in the socket directory (the
    // home is full by then).
    const run = path.join(dir, 'run');
    term.type('for i in $(seq 16); do head -c 64M /dev/zero > ~/f$i; done 2> /run/vnc/err; du -sb ~ | cut -f1 > /run/vnc/du; echo ok > /run/vnc/done');
    await waitUntil(() => fs.existsSync(path.join(run, 'done')), 60_000, () => `no result in ${run}: ${fs.readdirSync(run).join(' ')}`);
    ws.terminate();
    const read = (f: string) => fs.readFileSync(path.join(run, f), 'utf8').trim();

    assert.match(read('err'), /No space left on device|File size limit exceeded/, read('err'));
    const held = Number(read('du'));
    assert.ok(held <= LIMIT, `the home held ${held} bytes past its ${LIMIT}-byte limit`);
    assert.ok(held > LIMIT / 2, `the home held only ${held} bytes: the test wrote too little to show anything`);
    // What the session costs the host: its directory's blocks, and the disk's free space.
    assert.ok(allocated(dir) <= LIMIT + 4 * MiB, `the session takes ${allocated(dir)} bytes of the host's disk`);
    const freeAfter = fs.statfsSync(dataDir).bavail * fs.statfsSync(dataDir).bsize;
    // A loose margin: other processes on this host write too.
    assert.ok(freeBefore - freeAfter < LIMIT + 256 * MiB, `the host lost ${freeBefore - freeAfter} bytes of free space`);

    // The account's figure counts what the home costs the host.
    const usage = await gw.api('GET', '/api/usage', { token: alice.token });
    assert.ok(usage.body.storageBytes.used >= LIMIT / 2 && usage.body.storageBytes.used <= LIMIT + 4 * MiB, JSON.stringify(usage.body.storageBytes));

    assert.ok(mountsUnder(dir).includes(home), 'the home is not a mount of its own');
    assert.equal((await gw.api('DELETE', `/api/sessions/${id}`, { token: alice.token })).status, 204);
    assert.deepEqual(mountsUnder(dir), [], 'a deleted session left a mount behind');
    assert.ok(!fs.existsSync(dir), 'a deleted session left its files');
  });

  test('a home keeps its files across a restart, and a stopped server leaves no mount behind', { timeout: 60_000 }, async () => {
    const id = await start(alice.token);
    const home = path.join(dataDir, 'vnc', id, 'home');
    fs.writeFileSync(path.join(home, 'notes.txt'), 'still here');
    await gw.close();
    assert.deepEqual(mountsUnder(dataDir), [], 'a stopped server left a mount behind');
    assert.ok(!fs.existsSync(path.join(home, 'notes.txt')), 'the file is in the home image, not on the host');

    gw = await startGateway(env());
    const s = await gw.api('GET', `/api/sessions/${id}`, { token: alice.token });
    assert.equal(s.body.status, 'running');
    assert.equal(fs.readFileSync(path.join(home, 'notes.txt'), 'utf8'), 'still here');
  });
});

// Where loop mounts are impossible (here: the server is not root), the home is measured instead, and a VM
// whose home passes the limit is stopped, with the reason in the log.
describe('without loop mounts, a home past its limit stops the VM', { skip: localVncMissing() ?? needsRoot }, () => {
  let server: Awaited<ReturnType<typeof startServerAsNobody>>;
  let url: string;
  let dir: string;

  before(async () => {
    server = await startServerAsNobody({ VM_HOME_MAX_BYTES: String(16 * MiB), MAX_STORAGE_BYTES_PER_USER: String(16 * MiB) });
    ({ url, dir } = server);
  });
  after(() => server.stop());

  test('the log says the homes are measured; 20 MiB in a 16 MiB home: the session is stopped within a walk', { timeout: 60_000 }, async () => {
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const token = ((await login.json()) as { token: string }).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = await fetch(`${url}/api/sessions`, { method: 'POST', headers, body: '{"name":"vm"}' });
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    await logged(server.output, /VM homes cannot be loop-mounted here \(.+\), so each is measured every 10 s/);
    fs.writeFileSync(path.join(dir, 'data', 'vnc', id, 'home', 'big'), Buffer.alloc(20 * MiB, 1));
    let status = '';
    // The session's record is what the dashboard shows; ask for it until the walk has found the file.
    for (const until = Date.now() + 30_000; status !== 'stopped' && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      status = ((await (await fetch(`${url}/api/sessions/${id}`, { headers })).json()) as { status: string }).status;
    }
    assert.equal(status, 'stopped', server.output());
    await logged(server.output, /This VM's home went past its 16 MB limit, so the VM was stopped/);

    // A stopped session keeps its home, and it counts: at the storage limit, no VM starts to add another.
    const usage = (await (await fetch(`${url}/api/usage`, { headers })).json()) as { storageBytes: { used: number } };
    assert.ok(usage.storageBytes.used >= 20 * MiB, JSON.stringify(usage));
    const refused = await fetch(`${url}/api/sessions`, { method: 'POST', headers, body: '{"name":"another"}' });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /^Your files take 20 MB of the 16 MB your account may store; delete files, projects or VM sessions to start another VM\.$/);
  });
});

/** The server gathers log lines for up to 100 ms before writing them: a line is looked for, not expected at once. */
async function logged(output: () => string, line: RegExp): Promise<void> {
  for (const until = Date.now() + 5000; !line.test(output()) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
  assert.match(output(), line);
}

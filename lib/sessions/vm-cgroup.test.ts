import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cgroupSentence, joinFirst, ownCgroups, probeCgroups } from './vm-cgroup';

test("the server's own cgroup per hierarchy: v1 lines, co-mounted controllers and the v2 line", () => {
  const own = ownCgroups('12:pids:/a\n4:memory:/process_api/x\n2:cpu,cpuacct:/b c\n1:name=systemd:/\n0::/svc\n');
  assert.equal(own.get('pids'), '/a');
  assert.equal(own.get('memory'), '/process_api/x');
  assert.equal(own.get('cpu'), '/b c');
  assert.equal(own.get('cpuacct'), '/b c');
  assert.equal(own.get(''), '/svc');
});

test('the desktop starts as the very process that joined: the pid written is the pid that runs the command', async () => {
  const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'cg-a-')), fs.mkdtempSync(path.join(os.tmpdir(), 'cg-b-'))];
  try {
    // Plain files stand in for cgroup.procs: what matters is who writes, and that it then execs.
    const { cmd, args } = joinFirst(dirs, '/bin/sh', ['-c', 'echo $$']);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.once('close', r));
    for (const d of dirs) assert.equal(fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').trim(), String(child.pid));
    assert.equal(out.trim(), String(child.pid));
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('a group that cannot be joined is a desktop that does not start', async () => {
  const { cmd, args } = joinFirst(['/nonexistent/group'], '/bin/echo', ['started']);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.once('close', r));
  assert.equal(code, 125);
  assert.equal(out, '');
});

test('without root there are no cgroups, and the log says so in one sentence', () => {
  const s = probeCgroups({ isRoot: false, dataDir: '/tmp/x' });
  assert.equal(s.kind, 'none');
  const said = cgroupSentence(s);
  assert.equal(said.level, 'warn');
  assert.match(said.text, /^VM desktops cannot be given cgroup limits here \(the server does not run as root, so it cannot create cgroups\), so one desktop can use all of the host's memory and CPU; only its per-uid process and file limits hold\.$/);
});

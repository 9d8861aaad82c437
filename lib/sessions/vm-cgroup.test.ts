import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cgroupSentence, createSessionCgroups, joinFirst, ownCgroups, probeCgroups } from './vm-cgroup';

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

// The host runs cgroup v1; these two describe other hosts' tables over a plain directory, to check where
// the groups go and what is written in them.
test('cgroup v2 (pure, as on most production hosts): one group under our own, controllers enabled, limits written', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-v2-'));
  try {
    fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma');
    fs.mkdirSync(path.join(root, 'svc'));
    fs.writeFileSync(path.join(root, 'svc', 'cgroup.controllers'), 'cpu memory pids');
    const s = probeCgroups({ isRoot: true, dataDir: '/srv/portico', mountinfo: `30 23 0:26 / ${root} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n`, selfCgroup: '0::/svc\n' });
    assert.equal(s.kind, 'v2');
    assert.equal(cgroupSentence(s).level, 'info');
    assert.equal(fs.readFileSync(path.join(root, 'svc', 'cgroup.subtree_control'), 'utf8'), '+memory +pids +cpu');
    const [dir] = await createSessionCgroups(s, 'sess1', { memoryBytes: 128 * 1024 ** 2, pids: 64, cpus: 0.5 });
    assert.match(dir, new RegExp(`^${root}/svc/portico-vms-[0-9a-f]{10}/sess1$`));
    const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    assert.deepEqual([read('memory.max'), read('pids.max'), read('cpu.max')], [String(128 * 1024 ** 2), '64', '50000 100000']);
    assert.equal(fs.readFileSync(path.join(path.dirname(dir), 'cgroup.subtree_control'), 'utf8'), '+memory +pids +cpu');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('cgroup v1 in a container: each hierarchy mounted at a subtree, our path in each; a missing controller is named', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-v1-'));
  try {
    for (const c of ['memory', 'cpu,cpuacct']) fs.mkdirSync(path.join(root, c, 'me'), { recursive: true });
    const mountinfo = [
      `40 30 0:40 /docker/abc ${root}/memory rw - cgroup cgroup rw,memory`,
      `41 30 0:41 /docker/abc ${root}/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct`,
      `42 30 0:42 / ${root}/unified rw - cgroup2 cgroup2 rw`,
    ].join('\n');
    const s = probeCgroups({ isRoot: true, dataDir: '/srv/portico', mountinfo, selfCgroup: '5:memory:/docker/abc/me\n3:cpu,cpuacct:/docker/abc/me\n0::/\n' });
    assert.equal(s.kind, 'v1');
    assert.match(cgroupSentence(s).text, /^VM desktops get cgroup v1 limits here, but no pids limit \(that controller is not available\)\.$/);
    const dirs = await createSessionCgroups(s, 'sess1', { memoryBytes: 256 * 1024 ** 2, pids: 64, cpus: 2 });
    assert.equal(dirs.length, 2, 'cpu and cpuacct share one hierarchy, so one group');
    assert.ok(dirs.every((d) => new RegExp(`^${root}/(memory|cpu,cpuacct)/me/portico-vms-[0-9a-f]{10}/sess1$`).test(d)), dirs.join(' '));
    const mem = dirs.find((d) => d.includes('/memory/'))!;
    const cpu = dirs.find((d) => d.includes('/cpu,cpuacct/'))!;
    assert.equal(fs.readFileSync(path.join(mem, 'memory.limit_in_bytes'), 'utf8'), String(256 * 1024 ** 2));
    assert.equal(fs.readFileSync(path.join(cpu, 'cpu.cfs_quota_us'), 'utf8'), '200000');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

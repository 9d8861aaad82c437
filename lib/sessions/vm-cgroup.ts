import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// A VM desktop's memory, processes and CPU are bounded by a cgroup of its own, so one user's allocation
// or busy loop cannot take the host (and every other user and the gateway with it). The groups live under
// the server's own cgroup, in a parent named after DATA_DIR (two servers on one host never sweep each
// other's), one child per session: `<own>/portico-vms-<hash>/<session id>`.
//
// cgroup v2 (one hierarchy with cgroup.controllers) is preferred; cgroup v1 (a hierarchy per controller,
// the server's path in each from /proc/self/cgroup) works too. Every process of the desktop is in the
// group from its first instruction: the launch chain starts with a shell that writes its own pid into the
// group and then execs the rest (joinFirst), so nothing the desktop starts can run outside it.

export type CgroupLimits = { memoryBytes: number; pids: number; cpus: number };

type Controller = 'memory' | 'pids' | 'cpu' | 'cpuacct';

export type CgroupSupport =
  | { kind: 'v2' | 'v1'; parents: { dir: string; controllers: Controller[] }[]; missing: string[] }
  | { kind: 'none'; reason: string };

const CPU_PERIOD_US = 100_000;
const REMOVE_TIMEOUT_MS = 5000;

type Mount = { root: string; point: string; fstype: string; options: string[] };

function mounts(mountinfo: string): Mount[] {
  const out: Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const f = left.split(' ');
    const [fstype, , superOpts] = right.split(' ');
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ root: unescape(f[3]), point: unescape(f[4]), fstype, options: (superOpts ?? '').split(',') });
  }
  return out;
}

/** The server's own cgroup path per hierarchy ('' for v2), from /proc/self/cgroup. */
export function ownCgroups(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of m[1] ? m[1].split(',') : ['']) own.set(c, m[2]);
  }
  return own;
}

/** Where a cgroup path is on the host, given the mount that shows its hierarchy (which may show a subtree). */
function onMount(m: Mount, cgroupPath: string): string | null {
  const rel = path.posix.relative(m.root, cgroupPath);
  if (rel.startsWith('..')) return null;
  return path.join(m.point, rel);
}

const parentName = (dataDir: string) => `portico-vms-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 10)}`;

/**
 * Finds the cgroup hierarchy this server can put desktops in and makes its parent group. Never throws:
 * where no limit can be set (not root, a read-only cgroupfs, no memory controller) it answers why.
 */
export function probeCgroups(opts: { isRoot: boolean; dataDir: string; mountinfo?: string; selfCgroup?: string }): CgroupSupport {
  if (!opts.isRoot) return { kind: 'none', reason: 'the server does not run as root, so it cannot create cgroups' };
  try {
    // The kernel's own tables; a test may hand in others that describe a tree of its own.
    const all = mounts(opts.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    const own = ownCgroups(opts.selfCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8'));
    const name = parentName(opts.dataDir);
    const v2 = all.find((m) => m.fstype === 'cgroup2' && readOr(path.join(m.point, 'cgroup.controllers'), '').split(' ').includes('memory'));
    if (v2 && own.has('')) {
      const ownDir = onMount(v2, own.get('')!);
      if (!ownDir) return { kind: 'none', reason: 'the server\'s own cgroup is not visible in the cgroup2 mount' };
      return setUpV2(ownDir, name);
    }
    const parents: { dir: string; controllers: Controller[] }[] = [];
    const missing: string[] = [];
    for (const c of ['memory', 'pids', 'cpu', 'cpuacct'] as const) {
      const m = all.find((x) => x.fstype === 'cgroup' && x.options.includes(c));
      const ownPath = [...own.entries()].find(([k]) => k === c)?.[1];
      const base = m && ownPath !== undefined ? onMount(m, ownPath) : null;
      if (!base) {
        if (c !== 'cpuacct') missing.push(c);
        continue;
      }
      const dir = path.join(base, name);
      const same = parents.find((p) => p.dir === dir);
      if (same) same.controllers.push(c);
      else parents.push({ dir, controllers: [c] });
    }
    if (!parents.some((p) => p.controllers.includes('memory'))) {
      return { kind: 'none', reason: v2 ? 'the cgroup2 mount has no memory controller and no cgroup v1 memory hierarchy is mounted' : 'no cgroup memory controller is mounted' };
    }
    // Made once to learn that it can be, then left to the first VM: a server that never starts one (or
    // fails to start) leaves no trace.
    for (const p of parents) {
      fs.mkdirSync(p.dir, { recursive: true });
      rmdirIfEmpty(p.dir);
    }
    return { kind: 'v1', parents, missing };
  } catch (err) {
    return { kind: 'none', reason: `the cgroup file system refused (${(err as Error).message.slice(0, 120)})` };
  }
}

// v2 keeps processes in leaves only: a group with processes cannot hand controllers to its children. A
// server alone in a delegated group (systemd's Delegate=yes) moves itself to a leaf `server` first.
function setUpV2(ownDir: string, name: string): CgroupSupport {
  const available = readOr(path.join(ownDir, 'cgroup.controllers'), '').split(' ');
  const wanted = (['memory', 'pids', 'cpu'] as const).filter((c) => available.includes(c));
  if (!wanted.includes('memory')) return { kind: 'none', reason: 'the server\'s cgroup has no memory controller delegated to it' };
  const enable = (dir: string) => fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
  try {
    enable(ownDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
    const leaf = path.join(ownDir, 'server');
    fs.mkdirSync(leaf, { recursive: true });
    for (const pid of readOr(path.join(ownDir, 'cgroup.procs'), '').split('\n').filter(Boolean)) {
      try {
        fs.writeFileSync(path.join(leaf, 'cgroup.procs'), pid);
      } catch {
        // Gone already.
      }
    }
    enable(ownDir);
  }
  const dir = path.join(ownDir, name);
  fs.mkdirSync(dir, { recursive: true });
  enable(dir);
  rmdirIfEmpty(dir);
  return { kind: 'v2', parents: [{ dir, controllers: [...wanted] }], missing: (['memory', 'pids', 'cpu'] as const).filter((c) => !wanted.includes(c)) };
}

function rmdirIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Holds a group a crash left: the sweep's.
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** The one sentence said at start-up: what bounds a desktop here, and what does not. */
export function cgroupSentence(s: CgroupSupport): { level: 'info' | 'warn'; text: string } {
  if (s.kind === 'none') {
    return { level: 'warn', text: `VM desktops cannot be given cgroup limits here (${s.reason}), so one desktop can use all of the host's memory and CPU; only its per-uid process and file limits hold.` };
  }
  if (s.missing.length) return { level: 'warn', text: `VM desktops get cgroup ${s.kind} limits here, but no ${s.missing.join(' or ')} limit (that controller is not available).` };
  return { level: 'info', text: `VM desktops get cgroup ${s.kind} limits on memory, processes and CPU.` };
}

/** A session's groups (one per hierarchy in v1, one in v2); empty where cgroups cannot be used. */
export const sessionCgroups = (s: CgroupSupport, sessionId: string): string[] => (s.kind === 'none' ? [] : s.parents.map((p) => path.join(p.dir, sessionId)));

/** Makes a session's groups and writes its limits; throws (having removed what it made) if one is refused. */
export async function createSessionCgroups(s: CgroupSupport, sessionId: string, limits: CgroupLimits): Promise<string[]> {
  if (s.kind === 'none') return [];
  const made: string[] = [];
  try {
    for (const p of s.parents) {
      if (!fs.existsSync(p.dir)) {
        fs.mkdirSync(p.dir, { recursive: true });
        if (s.kind === 'v2') fs.writeFileSync(path.join(p.dir, 'cgroup.subtree_control'), p.controllers.map((c) => `+${c}`).join(' '));
      }
      const dir = path.join(p.dir, sessionId);
      // A group of the same name is a leftover of this session: empty it, its limits are written again.
      if (fs.existsSync(dir)) await removeCgroup(dir);
      fs.mkdirSync(dir);
      made.push(dir);
      writeLimits(s.kind, dir, p.controllers, limits);
    }
    return made;
  } catch (err) {
    for (const dir of made) await removeCgroup(dir).catch(() => undefined);
    throw new Error(`could not set up the VM's cgroup (${(err as Error).message.slice(0, 160)})`);
  }
}

function writeLimits(kind: 'v1' | 'v2', dir: string, controllers: Controller[], l: CgroupLimits): void {
  const put = (file: string, value: string | number) => fs.writeFileSync(path.join(dir, file), String(value));
  const has = (file: string) => fs.existsSync(path.join(dir, file));
  const quota = Math.max(1000, Math.round(l.cpus * CPU_PERIOD_US));
  if (kind === 'v2') {
    if (controllers.includes('memory')) {
      put('memory.max', l.memoryBytes);
      // No swap at all: the limit is the desktop's whole footprint, not RAM plus as much swap again.
      if (has('memory.swap.max')) put('memory.swap.max', 0);
    }
    if (controllers.includes('pids')) put('pids.max', l.pids);
    if (controllers.includes('cpu')) put('cpu.max', `${quota} ${CPU_PERIOD_US}`);
    return;
  }
  if (controllers.includes('memory')) {
    put('memory.limit_in_bytes', l.memoryBytes);
    // memory+swap: the same bound, so swap adds nothing (only where the kernel accounts swap).
    if (has('memory.memsw.limit_in_bytes')) put('memory.memsw.limit_in_bytes', l.memoryBytes);
  }
  if (controllers.includes('pids')) put('pids.max', l.pids);
  if (controllers.includes('cpu')) {
    put('cpu.cfs_period_us', CPU_PERIOD_US);
    put('cpu.cfs_quota_us', quota);
  }
}

// "$@" is: the groups' cgroup.procs files, `--`, then the command. The shell moves itself into every
// group and only then execs the command, so the desktop's first instruction already runs inside them; a
// group that refuses is a desktop that does not start.
const JOIN = 'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "cannot join the cgroup $1" >&2; exit 125; }; shift; done; shift; exec "$@"';

/** Wraps a launch so that the whole desktop starts inside `groups`. */
export function joinFirst(groups: string[], cmd: string, args: string[]): { cmd: string; args: string[] } {
  if (groups.length === 0) return { cmd, args };
  return { cmd: '/bin/sh', args: ['-c', JOIN, 'sh', ...groups.map((g) => path.join(g, 'cgroup.procs')), '--', cmd, ...args] };
}

function killInside(dir: string): void {
  // v2 kills the whole group at once where the kernel can; otherwise each process listed.
  if (fs.existsSync(path.join(dir, 'cgroup.kill'))) {
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      return;
    } catch {
      // Fall back to the list.
    }
  }
  for (const pid of readOr(path.join(dir, 'cgroup.procs'), '').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

function tryRemove(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  killInside(dir);
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    return false;
  }
}

/** Kills whatever is left in a group and removes it; processes just killed take a moment to leave. */
export async function removeCgroup(dir: string): Promise<void> {
  const until = Date.now() + REMOVE_TIMEOUT_MS;
  while (!tryRemove(dir)) {
    if (Date.now() > until) throw new Error(`the cgroup ${dir} is still busy`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Start-up: kills what a crashed predecessor left in its sessions' groups, and removes them (one still busy after 5 s stays). */
export function sweepCgroups(s: CgroupSupport): number {
  if (s.kind === 'none') return 0;
  let n = 0;
  for (const p of s.parents) {
    if (!fs.existsSync(p.dir)) continue;
    const children = fs.readdirSync(p.dir, { withFileTypes: true }).filter((e) => e.isDirectory());
    for (const child of children) {
      const dir = path.join(p.dir, child.name);
      let attempt = 0;
      while (!tryRemove(dir) && attempt++ < 250) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      if (!fs.existsSync(dir)) n++;
    }
  }
  return n;
}

/** Shutdown: the parent groups go too once empty, so a host that ran many servers keeps no trace of them. */
export function removeCgroupParents(s: CgroupSupport): void {
  if (s.kind !== 'none') for (const p of s.parents) rmdirIfEmpty(p.dir);
}

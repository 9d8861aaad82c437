import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../protocol/format-units';

// A VM's home holds at most VM_HOME_MAX_BYTES. Where the server can loop-mount (root, /dev/loop-control),
// the home is an ext4 image of that size (DATA_DIR/vnc/<id>/home.img, sparse, so it costs the host only
// what the VM writes) mounted on DATA_DIR/vnc/<id>/home before the desktop starts: a full home is ENOSPC
// for the VM's programs, a limit the kernel keeps however fast they write. Where it cannot, the home is a
// plain directory measured every MEASURE_MS, and a VM past its limit is stopped.

export type HomeLimit = { kind: 'image' } | { kind: 'measured'; reason: string };

export const MEASURE_MS = 10_000;
// A measuring walk past this many entries stops counting: the figure is then a floor, and the walk cheap.
const MAX_WALK_ENTRIES = 100_000;
const TOOL_TIMEOUT_MS = 30_000;

export const homeImage = (sessionDir: string) => path.join(sessionDir, 'home.img');

export function measuredSentence(limitBytes: number): string {
  return `This VM's home went past its ${formatBytes(limitBytes)} limit, so the VM was stopped; delete files in it to use it again.`;
}

function tool(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: TOOL_TIMEOUT_MS, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } as unknown as NodeJS.ProcessEnv }, (err, _out, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} failed: ${(stderr || err.message).trim().split('\n')[0].slice(0, 160)}`));
      else resolve();
    });
  });
}

/** The mount points under `dir` (deepest first), from the kernel's own table. */
export function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir) + '/';
  const points: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    // mountinfo escapes space, tab, newline and backslash as \ooo.
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (point.startsWith(prefix)) points.push(point);
  }
  return points.sort((a, b) => b.length - a.length);
}

export const isMounted = (p: string) => mountsUnder(path.dirname(p)).includes(path.resolve(p));

/**
 * Mounts the session's home image on `home`, making the image first when there is none. A home that was
 * a plain directory before (a session from before images) is copied in, as far as the limit allows.
 */
export async function mountHomeImage(sessionDir: string, home: string, limitBytes: number): Promise<void> {
  if (isMounted(home)) return;
  const img = homeImage(sessionDir);
  let fresh = false;
  if (!fs.existsSync(img)) {
    const tmp = `${img}.new`;
    fs.rmSync(tmp, { force: true });
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.ftruncateSync(fd, limitBytes);
    } finally {
      fs.closeSync(fd);
    }
    // No reserved blocks (the VM's user is the only user); lazy init keeps the sparse file sparse.
    await tool('/usr/sbin/mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard', tmp]);
    fs.renameSync(tmp, img);
    fresh = true;
  }
  const old = `${home}.old`;
  const migrate = fresh && fs.existsSync(home) && fs.readdirSync(home).length > 0;
  if (migrate) fs.renameSync(home, old);
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  // discard: a file deleted in the VM is a hole again in the sparse image, so the host gets its space back.
  await tool('/usr/bin/mount', ['-o', 'loop,nosuid,nodev,noatime,noinit_itable,discard', img, home]);
  // Only in a fresh image: later, a lost+found there is the VM's own.
  if (fresh) fs.rmSync(path.join(home, 'lost+found'), { recursive: true, force: true });
  if (migrate) {
    await tool('/usr/bin/cp', ['-a', '--', `${old}/.`, `${home}/`]).catch(() => undefined);
    fs.rmSync(old, { recursive: true, force: true });
  }
}

/**
 * The desktop's socket directory is the other place it may write on the host: a tmpfs of its own, small
 * enough that it holds the socket and nothing worth filling.
 */
export async function mountRunDir(runDir: string, uid: number): Promise<void> {
  if (isMounted(runDir)) return;
  await tool('/usr/bin/mount', ['-t', 'tmpfs', '-o', `size=64k,nr_inodes=16,mode=0700,uid=${uid},gid=${uid},nosuid,nodev,noexec`, 'portico-vm-run', runDir]);
}

/** Mounts a session's home image and socket tmpfs; where that is impossible, says why (the fallback). */
export async function mountHome(s: { dir: string; home: string; runDir: string; uid: number | null; limitBytes: number }): Promise<HomeLimit> {
  if (s.uid === null) return { kind: 'measured', reason: 'the server does not run as root, so it cannot mount a home of its own' };
  try {
    await mountHomeImage(s.dir, s.home, s.limitBytes);
    await mountRunDir(s.runDir, s.uid);
    return { kind: 'image' };
  } catch (err) {
    await unmountAll(s.dir).catch(() => undefined);
    return { kind: 'measured', reason: (err as Error).message };
  }
}

export function measuredLogSentence(reason: string): string {
  return `VM homes cannot be loop-mounted here (${reason}), so each is measured every ${MEASURE_MS / 1000} s and a VM past VM_HOME_MAX_BYTES is stopped.`;
}

/** The fallback limit: a bounded walk of the home every MEASURE_MS; `over` hears of each one past it. */
export function watchHome(home: string, limitBytes: number, over: (bytes: number) => void): NodeJS.Timeout {
  let walking = false;
  const timer = setInterval(async () => {
    if (walking) return;
    walking = true;
    const bytes = await treeBytes(home).finally(() => (walking = false));
    if (bytes > limitBytes) over(bytes);
  }, MEASURE_MS);
  timer.unref();
  return timer;
}

/** Unmounts one of a session's mounts; one still busy a second later is detached lazily, so none is left. */
export async function unmountAt(point: string): Promise<void> {
  for (let attempt = 0; isMounted(point); attempt++) {
    try {
      await tool('/usr/bin/umount', attempt < 10 ? [point] : ['-l', point]);
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Start-up: unmounts every home a crashed predecessor left mounted under `root`. */
export function sweepHomeMounts(root: string): number {
  let n = 0;
  for (const point of mountsUnder(root)) {
    // The processes just killed may hold files for a moment yet; only then is the mount detached lazily.
    for (let attempt = 0; ; attempt++) {
      try {
        execFileSync('/usr/bin/umount', attempt < 10 ? [point] : ['-l', point], { stdio: 'ignore', timeout: TOOL_TIMEOUT_MS });
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
    n++;
  }
  return n;
}

/** Bytes in a directory tree (a floor past MAX_WALK_ENTRIES entries). */
export async function treeBytes(dir: string): Promise<number> {
  let bytes = 0;
  let entries = 0;
  async function walk(d: string) {
    for (const e of await fsp.readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (++entries > MAX_WALK_ENTRIES) return;
      const abs = path.join(d, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) {
        const st = await fsp.lstat(abs).catch(() => null);
        // Allocated blocks, not the apparent size: a sparse file costs the disk only what it holds.
        if (st) bytes += Math.min(st.size, st.blocks * 512);
      }
    }
  }
  await walk(dir);
  return bytes;
}

/** What a session's home costs the host's disk: its image's allocated blocks, or its files. */
export async function vmHomeBytes(sessionDir: string): Promise<number> {
  const img = await fsp.stat(homeImage(sessionDir)).catch(() => null);
  const home = path.join(sessionDir, 'home');
  // A mounted home's files are the image's blocks; an unmounted one's are files of their own.
  return (img ? img.blocks * 512 : 0) + (isMounted(home) ? 0 : await treeBytes(home));
}

/** Unmounts a session's home and socket directory, whichever are mounted. */
export async function unmountAll(sessionDir: string): Promise<void> {
  for (const point of mountsUnder(sessionDir)) await unmountAt(point);
}

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// What the local VM provider does to the host itself, outside any one desktop: find and kill a desktop's
// processes (also what a crashed predecessor left), see which uids are taken, hand a home to its uid, and
// wait for a desktop's socket.

export function killGroup(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!proc.pid) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // Gone already.
  }
}

/**
 * Kills every process that carries `PORTICO_VM=<id>` for one of `ids` in its environment. Pids are
 * reused and an xterm's command line names no session, but the marker is in the environment of every
 * process of a desktop started by this provider (outside the sandbox's clearenv: its outer chain).
 */
export function killMarked(ids: Set<string>): number {
  if (ids.size === 0) return 0;
  let killed = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const marker = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((v) => v.startsWith('PORTICO_VM='));
      if (marker && ids.has(marker.slice('PORTICO_VM='.length))) {
        process.kill(Number(pid), 'SIGKILL');
        killed++;
      }
    } catch {
      // Gone, or not ours to read.
    }
  }
  return killed;
}

/** A desktop's uid reaches its bind-mount sources through every directory above them. */
export function assertTraversable(dir: string): void {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) {
      throw new Error(`${d} is not traversable by other users, so a VM's own uid cannot reach DATA_DIR (chmod o+x it, or choose another DATA_DIR)`);
    }
    if (d === path.dirname(d)) return;
  }
}

/** The uids that own a process on this host right now. */
export function uidsInUse(): Set<number> {
  const uids = new Set<number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      uids.add(fs.statSync(`/proc/${pid}`).uid);
    } catch {
      // Gone already.
    }
  }
  return uids;
}

export function chownTree(dir: string, uid: number): void {
  fs.lchownSync(dir, uid, uid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid);
    else fs.lchownSync(p, uid, uid);
  }
}

/** Resolves once the desktop accepts connections on its socket; `gaveUp` ends the wait early. */
export async function waitForSocket(socketPath: string, timeoutMs: number, gaveUp: () => string | null): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = gaveUp();
    if (why) throw new Error(why);
    const up = await new Promise<boolean>((r) => {
      const c = net.connect({ path: socketPath });
      c.once('connect', () => (c.destroy(), r(true)));
      c.once('error', () => (c.destroy(), r(false)));
    });
    if (up) return;
    if (Date.now() > until) throw new Error(`the desktop did not listen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

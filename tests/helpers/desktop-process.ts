import fs from 'node:fs';
import path from 'node:path';

// Other servers on this host (other tests, other checkouts) run desktops with the same uids, so a test that
// kills its VM's desktop finds it by process ancestry, never by uid.

/** The desktop's Xvnc: a descendant of the chain its pid file names (other servers here run desktops too). */
export function xvncOf(dataDir: string, sessionId: string): number {
  const { pid: root } = JSON.parse(fs.readFileSync(path.join(dataDir, 'vnc', `${sessionId}.json`), 'utf8')) as { pid: number };
  const [pid] = xvncUnder(root);
  if (pid === undefined) throw new Error(`no Xvnc runs under the desktop of ${sessionId} (pid ${root})`);
  return pid;
}

/** Every Xvnc descended from `root` (a server's process, or one desktop's chain), never another test's. */
export function xvncUnder(root: number): number[] {
  const parent = new Map<number, number>();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number)) {
    try {
      parent.set(pid, Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]));
    } catch {
      // gone already
    }
  }
  const below = (pid: number) => {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    try {
      return below(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('Xvnc');
    } catch {
      return false; // gone already
    }
  });
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';

// How a local VM's desktop (Xvnc and the xterm in it) is started: inside a bubblewrap sandbox of its own,
// as a uid of its own, seeing nothing of the host but a read-only system and one home.
//
// The chain is `prlimit … -- setpriv --reuid U … -- bwrap … -- sh -c INIT`: prlimit caps what the
// session's uid may hold, setpriv drops from root to U (never the server's uid) and has the kernel kill
// the chain with the server, bwrap unshares every namespace and builds the file system view, and INIT
// starts Xvnc, waits for its display, then the xterm. Xvnc listens on no TCP port but on a Unix socket in
// a directory bind-mounted from the host, owned by U and 0700: the gateway (root) and the session's own
// uid can open it, nobody else.

/** Where the desktop's RFB socket is inside the sandbox. */
export const SANDBOX_SOCKET = '/run/vnc/rfb.sock';
const SANDBOX_HOME = '/home/user';

// Per session uid. A fork bomb stops at NPROC processes of its own uid, a file at FSIZE bytes.
export const VM_LIMITS = { nproc: 256, nofile: 1024, fsize: 2 * 1024 ** 3 } as const;

const PATH = '/usr/local/bin:/usr/bin:/bin';

/** Size of the desktop's /tmp and /dev/shm (each): memory, so small, and the home is where files go. */
export const VM_TMPFS_BYTES = 64 * 1024 * 1024;

export type SandboxStatus = { sandboxed: true } | { sandboxed: false; reason: string };

export type DesktopSpec = {
  sessionId: string;
  name: string;
  /** The uid the desktop runs as; null only when the server is not root (it then runs as the server's). */
  uid: number | null;
  /** Host paths: the session's home, the directory of its RFB socket, its generated passwd and group. */
  home: string;
  runDir: string;
  passwd: string;
  group: string;
  sandboxed: boolean;
  /** X display number; always 1 in a sandbox (its /tmp and abstract sockets are private). */
  display: number;
  /** Largest file the desktop may write: never more than its home may hold. */
  fsizeBytes?: number;
};

export type Launch = { cmd: string; args: string[]; env: Record<string, string>; cwd: string };

// 127×41 cells of a 12 pt monospace font fill the 1280×800 desktop (measured with xwininfo), so the
// viewer's scale-to-fit spends no pixels on black margins. "$1" is the desktop name, "$2" the socket:
// passed as arguments, never spliced into the script.
const INIT = [
  'Xvnc ":$DISPLAYNUM" -rfbport -1 -rfbunixpath "$2" -rfbunixmode 0600 -SecurityTypes None -geometry 1280x800 -depth 24 -AlwaysShared -desktop "$1" &',
  'x=$!',
  'i=0; while [ ! -e "/tmp/.X11-unix/X$DISPLAYNUM" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
  "xterm -geometry 127x41+0+0 -fa Monospace -fs 12 -bg '#1b1c1a' -fg '#e6e6df' -title \"$1\" &",
  'wait $x',
].join('\n');

/** The environment of a desktop: built from nothing, never the server's. */
function desktopEnv(home: string, display: number): Record<string, string> {
  return { HOME: home, USER: 'user', LOGNAME: 'user', PATH, DISPLAY: `:${display}`, TERM: 'xterm', LANG: 'C.UTF-8', SHELL: '/bin/bash' };
}

export function passwdFiles(uid: number): { passwd: string; group: string } {
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nuser:x:${uid}:${uid}:Portico VM:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\nuser:x:${uid}:\nnobody:x:65534:\n`,
  };
}

// System files the desktop needs besides /usr: fonts, the dynamic linker's cache, Debian's alternatives
// (x-terminal-emulator, fonts), X11 and locale settings. Nothing else of /etc (no shadow, no secrets).
const ETC = ['/etc/fonts', '/etc/ld.so.cache', '/etc/alternatives', '/etc/X11', '/etc/localtime', '/etc/nsswitch.conf', '/etc/bash.bashrc', '/etc/profile', '/etc/inputrc', '/etc/terminfo'];

function dropPrivileges(uid: number | null, inner: string[], fsize: number = VM_LIMITS.fsize): string[] {
  const limits = ['/usr/bin/prlimit', `--nproc=${VM_LIMITS.nproc}`, `--nofile=${VM_LIMITS.nofile}`, `--fsize=${Math.min(fsize, VM_LIMITS.fsize)}`, '--'];
  const setpriv = uid === null ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--'] : ['/usr/bin/setpriv', '--reuid', String(uid), '--regid', String(uid), '--clear-groups', '--pdeathsig', 'KILL', '--'];
  return [...limits, ...setpriv, ...inner];
}

export function bwrapArgs(spec: { uid: number; home: string; runDir: string; passwd: string; group: string; env: Record<string, string> }): string[] {
  const args = ['/usr/bin/bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--clearenv'];
  for (const [k, v] of Object.entries(spec.env)) args.push('--setenv', k, v);
  args.push('--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/sbin', '/sbin');
  if (fs.existsSync('/usr/lib64')) args.push('--symlink', 'usr/lib64', '/lib64');
  for (const p of ETC) if (fs.existsSync(p)) args.push('--ro-bind', p, p);
  args.push('--ro-bind', spec.passwd, '/etc/passwd', '--ro-bind', spec.group, '/etc/group');
  // Every file system the desktop can write to has a size: memory-backed ones (/tmp, /dev/shm) included,
  // since a tmpfs of no given size may take half the host's memory. bwrap's own root and /dev are tmpfs
  // owned by the sandbox's uid: both are made read-only once everything is in place.
  args.push('--proc', '/proc', '--dev', '/dev', '--size', String(VM_TMPFS_BYTES), '--tmpfs', '/dev/shm');
  args.push('--size', String(VM_TMPFS_BYTES), '--tmpfs', '/tmp', '--dir', '/tmp/.X11-unix');
  args.push('--bind', spec.home, SANDBOX_HOME, '--bind', spec.runDir, '/run/vnc', '--chdir', SANDBOX_HOME);
  args.push('--remount-ro', '/dev', '--remount-ro', '/');
  return args;
}

/** The command that starts a session's desktop, and the socket path to give it. */
export function desktopLaunch(spec: DesktopSpec, hostSocket: string): Launch {
  // The only variable the outer chain carries: it lets the next start find what a crash left behind.
  const marker = { PORTICO_VM: spec.sessionId };
  const name = spec.name.slice(0, 60);
  if (spec.sandboxed && spec.uid !== null) {
    const env = { ...desktopEnv(SANDBOX_HOME, 1), DISPLAYNUM: '1' };
    const inner = [...bwrapArgs({ uid: spec.uid, home: spec.home, runDir: spec.runDir, passwd: spec.passwd, group: spec.group, env }), '--', '/bin/sh', '-c', INIT, 'sh', name, SANDBOX_SOCKET];
    const [cmd, ...args] = dropPrivileges(spec.uid, inner, spec.fsizeBytes);
    return { cmd, args, env: marker, cwd: '/' };
  }
  // No sandbox (admins only): still another uid where the server is root, and still an environment built
  // from nothing, but the host's file system and network are visible.
  const env = { ...desktopEnv(spec.home, spec.display), DISPLAYNUM: String(spec.display), ...marker };
  const [cmd, ...args] = dropPrivileges(spec.uid, ['/bin/sh', '-c', INIT, 'sh', name, hostSocket], spec.fsizeBytes);
  return { cmd, args, env, cwd: spec.home };
}

/** The one sentence said at start-up, in the API and in the dashboard when desktops cannot be sandboxed. */
export function unsandboxedSentence(reason: string): string {
  return `Local VMs cannot be sandboxed here (${reason}), so only admins can start them.`;
}

const missingBwrap = 'bubblewrap is not installed (apt-get install -y bubblewrap)';

/**
 * Whether a desktop can be sandboxed here, found by trying: a real bwrap run as an unprivileged uid must
 * report that uid from inside its own namespaces. Not root (no other uid to switch to), no bwrap, or user
 * namespaces refused by the kernel: each is a reason.
 */
export async function probeSandbox(opts: { isRoot: boolean; trialUid: number }): Promise<SandboxStatus> {
  if (!opts.isRoot) return { sandboxed: false, reason: 'the server does not run as root, so it cannot run a VM as a user of its own' };
  if (!fs.existsSync('/usr/bin/bwrap')) return { sandboxed: false, reason: missingBwrap };
  const dir = fs.mkdtempSync('/tmp/portico-sandbox-probe-');
  try {
    fs.chmodSync(dir, 0o755);
    const files = passwdFiles(opts.trialUid);
    fs.writeFileSync(`${dir}/passwd`, files.passwd, { mode: 0o644 });
    fs.writeFileSync(`${dir}/group`, files.group, { mode: 0o644 });
    fs.mkdirSync(`${dir}/home`, { mode: 0o700 });
    fs.mkdirSync(`${dir}/run`, { mode: 0o700 });
    fs.chownSync(`${dir}/home`, opts.trialUid, opts.trialUid);
    fs.chownSync(`${dir}/run`, opts.trialUid, opts.trialUid);
    const env = desktopEnv(SANDBOX_HOME, 1);
    const inner = [...bwrapArgs({ uid: opts.trialUid, home: `${dir}/home`, runDir: `${dir}/run`, passwd: `${dir}/passwd`, group: `${dir}/group`, env }), '--', '/usr/bin/id', '-u'];
    const [cmd, ...args] = dropPrivileges(opts.trialUid, inner);
    const result = await run(cmd, args, 5000);
    if (result.code === 0 && result.stdout.trim() === String(opts.trialUid)) return { sandboxed: true };
    const why = result.stderr.trim().split('\n')[0] || `exit ${result.code}`;
    return { sandboxed: false, reason: `bubblewrap could not start a sandbox here (${why.slice(0, 120)})` };
  } catch (err) {
    return { sandboxed: false, reason: `bubblewrap could not start a sandbox here (${(err as Error).message.slice(0, 120)})` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} as NodeJS.ProcessEnv, cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(0, 4096)));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(0, 4096)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

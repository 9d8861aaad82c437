import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../observability/logger';
import { desktopLaunch, passwdFiles, type SandboxStatus } from './vm-sandbox';
import { createSessionCgroups, joinFirst, removeCgroup, removeCgroupParents, sweepCgroups, type CgroupLimits, type CgroupSupport } from './vm-cgroup';
import { assertTraversable, chownTree, killGroup, killMarked, uidsInUse, waitForSocket } from './vm-host';
import { measuredLogSentence, measuredSentence, mountHome, sweepHomeMounts, unmountAll, watchHome, type HomeLimit } from './vm-home';

// The `local` VM provider: per session, TigerVNC's Xvnc with an xterm in it, in a bubblewrap sandbox as
// a uid of its own (vm-sandbox.ts) and in a cgroup of its own (vm-cgroup.ts), its RFB stream on a Unix
// socket only root and that uid can open. The whole desktop is one process tree under `setpriv --pdeathsig
// KILL`, so the kernel ends it if this server dies without cleaning up, and a pid file per session lets
// the next start sweep anything left.

export type LocalVm = { sessionId: string; uid: number | null; socketPath: string; target: string; home: string; sandboxed: boolean };

// Session uids are VM_UID_BASE + slot; a slot is free again when its desktop has exited.
export const MAX_LOCAL_VMS = 1000;
const FIRST_DISPLAY = 20;
const LAST_DISPLAY = 199;
const READY_TIMEOUT_MS = 8000;
// sockaddr_un holds 108 bytes; a DATA_DIR deep enough to pass it cannot host local VMs.
const MAX_SOCKET_PATH = 100;
export const REQUIRED_PACKAGES = ['tigervnc-standalone-server', 'xterm', 'xclip'];

type Running = LocalVm & { slot: number; display: number; proc: ChildProcess; stopping: boolean; measure: NodeJS.Timeout | null; cgroups: string[]; released: Promise<void> | null };

export function localVncMissing(): string | null {
  const missing = [['/usr/bin/Xvnc', 'tigervnc-standalone-server'], ['/usr/bin/xterm', 'xterm']].filter(([bin]) => !fs.existsSync(bin)).map(([, pkg]) => pkg);
  return missing.length ? `The local VM provider needs ${missing.join(' and ')}: install with apt-get install -y ${missing.join(' ')}` : null;
}

export type LocalVncDeps = {
  dataDir: string;
  logger: Logger;
  /** From probeSandbox at start-up. */
  sandbox: SandboxStatus;
  /** Whether the server runs as root, so a desktop can run as a uid of its own. */
  isRoot: boolean;
  uidBase: number;
  /** VM_HOME_MAX_BYTES: what one session's home may hold. */
  homeMaxBytes: number;
  /** From probeCgroups at start-up, and what each desktop's groups allow. */
  cgroups: CgroupSupport;
  limits: CgroupLimits;
  onExit?(sessionId: string): void;
};

export function createLocalVnc(deps: LocalVncDeps) {
  const root = path.join(deps.dataDir, 'vnc');
  const running = new Map<string, Running>();
  // A desktop that exited is still being released (cgroups, home unmounted) for a moment: a start of the
  // same session again waits for that, or it would mount over what is being unmounted.
  const releasing = new Map<string, Promise<void>>();
  const pidFile = (id: string) => path.join(root, `${id}.json`);
  const sessionDir = (id: string) => path.join(root, id);
  const warnedMeasured = new Set<string>();

  async function limitHome(dir: string, home: string, runDir: string, uid: number | null): Promise<HomeLimit> {
    const limit = await mountHome({ dir, home, runDir, uid, limitBytes: deps.homeMaxBytes });
    if (limit.kind === 'measured' && !warnedMeasured.has(limit.reason)) {
      warnedMeasured.add(limit.reason);
      deps.logger.warn({ event: 'vm_home_measured' }, measuredLogSentence(limit.reason));
    }
    return limit;
  }

  /** Removes a session's cgroups and unmounts its home once, however many paths (exit, stop, delete) ask. */
  function release(vm: Running): Promise<void> {
    if (vm.measure) clearInterval(vm.measure);
    vm.released ??= (async () => {
      // The groups first: removing one kills whatever is left of the desktop, which frees the home.
      for (const dir of vm.cgroups) await removeCgroup(dir).catch((err) => deps.logger.error({ err, session: vm.sessionId }, 'could not remove a VM cgroup'));
      await unmountAll(path.dirname(vm.home)).catch((err) => deps.logger.error({ err, session: vm.sessionId }, 'could not unmount a VM home'));
    })();
    return vm.released;
  }

  // The fallback limit: past it the desktop is killed, and the session ends as a VM that exited, with the
  // sentence in the log.
  function measureHome(vm: Running): NodeJS.Timeout {
    return watchHome(vm.home, deps.homeMaxBytes, (bytes) => {
      if (running.get(vm.sessionId) !== vm) return;
      deps.logger.warn({ event: 'vm_home_over_limit', session: vm.sessionId, bytes }, measuredSentence(deps.homeMaxBytes));
      killGroup(vm.proc);
    });
  }

  // A slot is free when no VM of ours holds it and no process on the host runs as its uid: another
  // Portico on this host (or a test's) with the same VM_UID_BASE must never share a desktop's uid.
  function freeSlot(): number {
    const used = new Set([...running.values()].map((r) => r.slot));
    const busyUids = deps.isRoot ? uidsInUse() : new Set<number>();
    for (let s = 0; s < MAX_LOCAL_VMS; s++) if (!used.has(s) && !busyUids.has(deps.uidBase + s)) return s;
    throw new Error(`All ${MAX_LOCAL_VMS} local VM slots are in use.`);
  }

  // Without a sandbox the desktops share the host's /tmp/.X11-unix, so each needs a display of its own.
  function freeDisplay(): number {
    if (deps.sandbox.sandboxed) return 1;
    for (let n = FIRST_DISPLAY; n <= LAST_DISPLAY; n++) {
      if ([...running.values()].some((r) => r.display === n)) continue;
      if (!fs.existsSync(`/tmp/.X${n}-lock`) && !fs.existsSync(`/tmp/.X11-unix/X${n}`)) return n;
    }
    throw new Error('No free X display between :20 and :199.');
  }

  /** The session's directory: root-owned and traverse-only, holding a home and a socket dir of the uid's own. */
  async function prepare(id: string, uid: number | null) {
    fs.mkdirSync(root, { recursive: true, mode: 0o711 });
    fs.chmodSync(root, 0o711);
    const dir = sessionDir(id);
    const home = path.join(dir, 'home');
    const runDir = path.join(dir, 'run');
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o711);
    fs.rmSync(runDir, { recursive: true, force: true });
    fs.mkdirSync(runDir, { mode: 0o700 });
    const homeLimit = await limitHome(dir, home, runDir, uid);
    const passwd = path.join(dir, 'passwd');
    const group = path.join(dir, 'group');
    if (uid !== null) {
      const files = passwdFiles(uid);
      fs.writeFileSync(passwd, files.passwd, { mode: 0o644 });
      fs.writeFileSync(group, files.group, { mode: 0o644 });
      // A slot's uid may differ from the one that wrote this home last time.
      chownTree(home, uid);
      fs.chownSync(runDir, uid, uid);
    }
    fs.chmodSync(home, 0o700);
    return { home, runDir, passwd, group, socketPath: path.join(runDir, 'rfb.sock'), homeLimit };
  }

  async function start(sessionId: string, name: string): Promise<LocalVm> {
    await releasing.get(sessionId);
    const slot = freeSlot();
    const uid = deps.isRoot ? deps.uidBase + slot : null;
    const display = freeDisplay();
    if (uid !== null) assertTraversable(root);
    const { homeLimit, ...files } = await prepare(sessionId, uid);
    if (files.socketPath.length > MAX_SOCKET_PATH) {
      await unmountAll(path.dirname(files.home));
      throw new Error(`DATA_DIR is too deep for a VNC socket path (${files.socketPath.length} > ${MAX_SOCKET_PATH} characters).`);
    }
    const cgroups = await createSessionCgroups(deps.cgroups, sessionId, deps.limits).catch(async (err: Error) => {
      await unmountAll(path.dirname(files.home));
      throw err;
    });
    const launch = desktopLaunch({ sessionId, name, uid, display, sandboxed: deps.sandbox.sandboxed, fsizeBytes: deps.homeMaxBytes, ...files }, files.socketPath);
    const { cmd, args } = joinFirst(cgroups, launch.cmd, launch.args);
    const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: launch.env as NodeJS.ProcessEnv, cwd: launch.cwd, detached: true });
    proc.on('error', (err) => deps.logger.error({ err, session: sessionId }, 'VM process failed'));
    // The first words of what went wrong, kept for the error when the desktop dies before it listens.
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 2048) stderr += d.toString('utf8', 0, 2048 - stderr.length);
    });
    const vm: Running = { sessionId, uid, socketPath: files.socketPath, target: pathToFileURL(files.socketPath).href.replace(/^file:/, 'unix:'), home: files.home, sandboxed: deps.sandbox.sandboxed, slot, display, proc, stopping: false, measure: null, cgroups, released: null };
    if (homeLimit.kind === 'measured') vm.measure = measureHome(vm);
    running.set(sessionId, vm);
    proc.once('exit', (code, signal) => {
      killGroup(proc);
      const released = release(vm).finally(() => releasing.get(sessionId) === released && releasing.delete(sessionId));
      releasing.set(sessionId, released);
      if (running.get(sessionId) !== vm) return;
      running.delete(sessionId);
      fs.rmSync(pidFile(sessionId), { force: true });
      if (!vm.stopping) {
        deps.logger.warn({ event: 'vm_exit', session: sessionId, code, signal }, 'a local VM exited');
        deps.onExit?.(sessionId);
      }
    });
    fs.writeFileSync(pidFile(sessionId), JSON.stringify({ pid: proc.pid, uid }), { mode: 0o600 });
    try {
      await waitForSocket(files.socketPath, READY_TIMEOUT_MS, () => {
        if (proc.exitCode === null && proc.signalCode === null) return null;
        const why = stderr.split('\n').find((l) => /error|denied|fail|cannot|can't/i.test(l));
        return `the desktop exited (${proc.exitCode ?? proc.signalCode}) before it listened${why ? `: ${why.trim().slice(0, 160)}` : ''}.`;
      });
    } catch (err) {
      await stop(sessionId);
      throw err;
    }
    return { sessionId, uid, socketPath: vm.socketPath, target: vm.target, home: vm.home, sandboxed: vm.sandboxed };
  }

  async function stop(sessionId: string, opts: { removeHome?: boolean } = {}): Promise<void> {
    // Deleting a session deletes its home folder too; a server stop keeps it for the restart.
    const removeHome = () => opts.removeHome && fs.rmSync(sessionDir(sessionId), { recursive: true, force: true, maxRetries: 3 });
    const vm = running.get(sessionId);
    if (!vm) {
      fs.rmSync(pidFile(sessionId), { force: true });
      await unmountAll(sessionDir(sessionId));
      removeHome();
      return;
    }
    vm.stopping = true;
    const { proc } = vm;
    const exited = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())));
    // The whole tree: in a sandbox, bwrap's death takes its PID namespace with it; without one, the group.
    killGroup(proc, 'SIGTERM');
    const forced = setTimeout(() => killGroup(proc), 2000);
    await exited;
    clearTimeout(forced);
    killGroup(proc);
    running.delete(sessionId);
    fs.rmSync(pidFile(sessionId), { force: true });
    await release(vm);
    removeHome();
  }

  return {
    start,
    stop,
    get(sessionId: string): LocalVm | undefined {
      return running.get(sessionId);
    },
    get count(): number {
      return running.size;
    },
    /** The sessions whose desktops run here. */
    ids(): string[] {
      return [...running.keys()];
    },
    get sandbox(): SandboxStatus {
      return deps.sandbox;
    },
    async stopAll(): Promise<void> {
      await Promise.all([...running.keys()].map((id) => stop(id)));
      removeCgroupParents(deps.cgroups);
    },
    /** Kills what a previous process of this server left behind (it crashed, or was killed). */
    sweepOrphans(): number {
      if (!fs.existsSync(root)) return 0;
      const ids = fs.readdirSync(root).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
      const killed = killMarked(new Set(ids));
      for (const id of ids) fs.rmSync(pidFile(id), { force: true });
      // Whatever is still in a session's cgroup dies with it, so nothing holds a home below.
      const groups = sweepCgroups(deps.cgroups);
      if (groups) deps.logger.warn({ event: 'vm_cgroups_removed', count: groups }, 'removed VM cgroups left by a previous run');
      // Homes stay mounted when the server dies; their files are in the images, mounted again on resume.
      const unmounted = sweepHomeMounts(root);
      if (unmounted) deps.logger.warn({ event: 'vm_homes_unmounted', count: unmounted }, 'unmounted VM homes left mounted by a previous run');
      return killed;
    },
  };
}

export type LocalVnc = ReturnType<typeof createLocalVnc>;

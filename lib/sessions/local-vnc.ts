import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../observability/logger';
import { portIsFree, waitForPort } from '../net/ports';

// The `local` VM provider: TigerVNC's Xvnc on a free display, bound to 127.0.0.1 only, with an xterm in
// it. Every process is started under `setpriv --pdeathsig KILL`, so the kernel kills it if this server
// dies without cleaning up, and a pid file per session lets the next start sweep anything left anyway.

export type LocalVm = { sessionId: string; display: number; port: number; target: string; home: string };

const FIRST_DISPLAY = 20;
const LAST_DISPLAY = 199;
const READY_TIMEOUT_MS = 8000;
export const REQUIRED_PACKAGES = ['tigervnc-standalone-server', 'xterm'];

type Running = LocalVm & { xvnc: ChildProcess; xterm: ChildProcess | null; stopping: boolean };

export function localVncMissing(): string | null {
  const missing = [['/usr/bin/Xvnc', 'tigervnc-standalone-server'], ['/usr/bin/xterm', 'xterm']].filter(([bin]) => !fs.existsSync(bin)).map(([, pkg]) => pkg);
  return missing.length ? `The local VM provider needs ${missing.join(' and ')}: install with apt-get install -y ${missing.join(' ')}` : null;
}

export function createLocalVnc(deps: { dataDir: string; logger: Logger; onExit?(sessionId: string): void }) {
  const root = path.join(deps.dataDir, 'vnc');
  const running = new Map<string, Running>();
  const pidFile = (id: string) => path.join(root, `${id}.json`);

  function displayFree(n: number): boolean {
    if ([...running.values()].some((r) => r.display === n)) return false;
    return !fs.existsSync(`/tmp/.X${n}-lock`) && !fs.existsSync(`/tmp/.X11-unix/X${n}`);
  }

  async function pickDisplay(): Promise<number> {
    for (let n = FIRST_DISPLAY; n <= LAST_DISPLAY; n++) if (displayFree(n) && (await portIsFree(5900 + n))) return n;
    throw new Error('No free X display between :20 and :199.');
  }

  function supervised(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], { stdio: 'ignore', env: opts.env ?? process.env, cwd: opts.cwd });
    child.on('error', (err) => deps.logger.error({ err, cmd }, 'VM process failed'));
    return child;
  }

  async function start(sessionId: string, name: string): Promise<LocalVm> {
    fs.mkdirSync(root, { recursive: true });
    const display = await pickDisplay();
    const port = 5900 + display;
    const home = path.join(root, sessionId, 'home');
    fs.mkdirSync(home, { recursive: true });
    const xvnc = supervised('Xvnc', [
      `:${display}`,
      '-localhost',
      '-SecurityTypes', 'None',
      '-rfbport', String(port),
      '-geometry', '1280x800',
      '-depth', '24',
      '-AlwaysShared',
      '-desktop', name.slice(0, 60),
    ]);
    const vm: Running = { sessionId, display, port, target: `tcp://127.0.0.1:${port}`, home, xvnc, xterm: null, stopping: false };
    running.set(sessionId, vm);
    xvnc.once('exit', (code, signal) => {
      if (running.get(sessionId) !== vm) return;
      running.delete(sessionId);
      vm.xterm?.kill('SIGKILL');
      fs.rmSync(pidFile(sessionId), { force: true });
      if (!vm.stopping) {
        deps.logger.warn({ event: 'vm_exit', session: sessionId, code, signal }, 'a local VM exited');
        deps.onExit?.(sessionId);
      }
    });
    try {
      await waitForPort(port, {
        timeoutMs: READY_TIMEOUT_MS,
        gaveUp: () => (xvnc.exitCode !== null || xvnc.signalCode !== null ? `Xvnc exited (${xvnc.exitCode ?? xvnc.signalCode}) before it listened.` : null),
      });
    } catch (err) {
      await stop(sessionId);
      throw err;
    }
    // 127×41 cells of a 12 pt monospace font fill the 1280×800 desktop (measured with xwininfo), so
    // the viewer's scale-to-fit spends no pixels on black margins.
    vm.xterm = supervised('xterm', ['-geometry', '127x41+0+0', '-fa', 'Monospace', '-fs', '12', '-bg', '#1b1c1a', '-fg', '#e6e6df', '-title', name.slice(0, 60)], {
      env: { ...process.env, DISPLAY: `:${display}`, HOME: home },
      cwd: home,
    });
    fs.writeFileSync(pidFile(sessionId), JSON.stringify({ xvnc: xvnc.pid, xterm: vm.xterm.pid, display }));
    return { sessionId, display, port, target: vm.target, home };
  }

  async function stop(sessionId: string, opts: { removeHome?: boolean } = {}): Promise<void> {
    // Deleting a session deletes its home folder too; a server stop keeps it for the restart.
    const removeHome = () => opts.removeHome && fs.rmSync(path.join(root, sessionId), { recursive: true, force: true, maxRetries: 3 });
    const vm = running.get(sessionId);
    if (!vm) {
      fs.rmSync(pidFile(sessionId), { force: true });
      removeHome();
      return;
    }
    vm.stopping = true;
    const exited = new Promise<void>((r) => (vm.xvnc.exitCode !== null || vm.xvnc.signalCode !== null ? r() : vm.xvnc.once('exit', () => r())));
    vm.xterm?.kill('SIGTERM');
    vm.xvnc.kill('SIGTERM');
    const forced = setTimeout(() => vm.xvnc.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(forced);
    running.delete(sessionId);
    fs.rmSync(pidFile(sessionId), { force: true });
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
    async stopAll(): Promise<void> {
      await Promise.all([...running.keys()].map((id) => stop(id)));
    },
    /** Kills what a previous process of this server left behind (it crashed, or was killed). */
    sweepOrphans(): number {
      if (!fs.existsSync(root)) return 0;
      let killed = 0;
      for (const f of fs.readdirSync(root).filter((n) => n.endsWith('.json'))) {
        try {
          const pids = JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')) as { xvnc?: number; xterm?: number };
          for (const pid of [pids.xterm, pids.xvnc]) if (pid && isOurs(pid)) (process.kill(pid, 'SIGKILL'), killed++);
        } catch {
          // A pid file we cannot read names nothing we can safely kill.
        }
        fs.rmSync(path.join(root, f), { force: true });
      }
      return killed;
    },
  };
}

/** Only kill a pid that is still an Xvnc or xterm: pids are reused. */
function isOurs(pid: number): boolean {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return /(^|\/)(Xvnc|xterm)$/.test(cmd);
  } catch {
    return false;
  }
}

export type LocalVnc = ReturnType<typeof createLocalVnc>;

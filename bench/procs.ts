import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

// Every process the bench starts, pinned to a core with taskset, in a process group of its own so that
// whatever it forks (nginx's worker, websockify's per-connection children) goes with it. killAll() runs
// on every way out of the bench, including a crash.

export type Proc = {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the first output that matches after offset `from`, e.g. the server's `READY <port>`. */
  waitFor(re: RegExp, ms?: number, from?: number): Promise<RegExpExecArray>;
  output(): string;
  /** SIGTERM first when `graceful` (a process writing a CPU profile on exit), then the whole group. */
  stop(graceful?: boolean): Promise<void>;
};

const started = new Set<Proc>();

export type SpawnOpts = { core: number; env?: Record<string, string>; ipc?: boolean; cwd?: string };

export function spawnPinned(name: string, cmd: string, args: string[], opts: SpawnOpts): Proc {
  const child = spawn('taskset', ['-c', String(opts.core), cmd, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
  });
  let out = '';
  const waiters: { re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d;
    for (const w of [...waiters]) {
      const m = w.re.exec(out.slice(w.from));
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const proc: Proc = {
    name,
    pid: child.pid!,
    child,
    output: () => out,
    waitFor(re, ms = 20_000, from = 0) {
      const m = re.exec(out.slice(from));
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no ${re} within ${ms} ms. Output:\n${out.slice(-2000)}`)), ms);
        const w = { re, from, resolve: (m: RegExpExecArray) => (clearTimeout(timer), resolve(m)) };
        waiters.push(w);
        void exited.then(() => {
          if (!waiters.includes(w)) return;
          clearTimeout(timer);
          reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${re}. Output:\n${out.slice(-2000)}`));
        });
      });
    },
    async stop(graceful = false) {
      if (graceful && child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      killGroup(proc);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      started.delete(proc);
    },
  };
  started.add(proc);
  return proc;
}

function killGroup(p: Proc): void {
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export function killAll(): void {
  for (const p of started) killGroup(p);
  started.clear();
}

/** Pins the calling process (the orchestrator) to a core, so core 0 is left to the servers. */
export function pinSelf(core: number): void {
  spawnSync('taskset', ['-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** The pid and every descendant (nginx's worker, websockify's children), from /proc. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name is in parentheses and may itself contain spaces; ppid is the 2nd field after it.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

export type Memory = { rssKb: number; pssKb: number; processes: number };

/** Sum of VmRSS and of Pss over a process tree, in KiB. */
export function treeMemory(root: number): Memory {
  let rssKb = 0;
  let pssKb = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rssKb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      processes++;
    } catch {
      // Exited between the listing and the read.
    }
  }
  return { rssKb, pssKb, processes };
}

/** Runs a bench script's main: whatever happens (an error, Ctrl-C), every process it started goes with it. */
export function runBench(main: () => Promise<void>): void {
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  main()
    .then(() => {
      killAll();
      process.exit(0);
    })
    .catch((err) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : err}\n`);
      killAll();
      process.exit(1);
    });
}

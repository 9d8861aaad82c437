import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// `npm run worker` processes for the scale-out tests: real child processes on the same store and Redis
// as the test's gateways, each given only what a worker needs (no JWT_SECRET).

const ROOT = path.resolve(__dirname, '../..');

export type WorkerProcess = { child: ChildProcess; output: () => string; kill(signal?: NodeJS.Signals): Promise<void> };

export function workerPool(base: Record<string, string>) {
  const all: WorkerProcess[] = [];

  async function start(extra: Record<string, string> = {}): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/worker.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', LLM_PROVIDER: 'offline', LOG_LEVEL: 'warn', ...base, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const w: WorkerProcess = {
      child,
      output: () => out,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      },
    };
    all.push(w);
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (/build worker ready/.test(out)) done(resolve);
      };
      const onExit = () => done(() => reject(new Error(`the worker exited before it was ready: ${out}`)));
      const timer = setTimeout(() => done(() => reject(new Error(`the worker was not ready in time: ${out}`))), 20_000);
      const done = (then: () => void) => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        then();
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
      onData();
    });
    return w;
  }

  return {
    start,
    async killAll(): Promise<void> {
      await Promise.all(all.map((w) => w.kill()));
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../net/ports';

// A real redis-server (Debian's) on a loopback port with a password and its files in a temp dir, for the
// tests and `npm run cluster`. It can be paused (SIGSTOP), resumed and restarted on the same port, which
// is how the failure tests treat it.

export type RedisServer = {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  pause(): void;
  resume(): void;
  /** Stops it (SIGTERM, then SIGKILL) and starts it again on the same port and password. */
  restart(): Promise<void>;
  close(): Promise<void>;
};

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';

export async function startRedisServer(opts: { dir?: string; port?: number } = {}): Promise<RedisServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'portico-redis-'));
  const ownDir = !opts.dir;
  const port = opts.port ?? (await freePort());
  const password = crypto.randomBytes(18).toString('base64url');
  let proc: ChildProcess;
  let stderr = '';

  async function launch() {
    // No persistence: Postgres (or SQLite) is the record; Redis only carries what is live.
    proc = spawn(REDIS_SERVER_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Never the caller's environment (least privilege).
      env: { PATH: '/usr/bin:/bin' } as unknown as NodeJS.ProcessEnv,
    });
    proc.stdout!.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
    await waitForPort(port, { gaveUp: () => (proc.exitCode !== null ? `redis-server did not start: ${stderr}` : null) });
  }

  async function stop() {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
    const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  }

  await launch();
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    get pid() {
      return proc.pid!;
    },
    pause: () => void proc.kill('SIGSTOP'),
    resume: () => void proc.kill('SIGCONT'),
    async restart() {
      await stop();
      await launch();
    },
    async close() {
      await stop();
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// server.ts as its own process, the way `npm start` runs it, for what only a real process can show:
// signals, exit codes, start-up refusals, Next in production or dev mode.

const ROOT = path.resolve(__dirname, '../..');

export type ServerProcess = {
  url: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stop(): Promise<void>;
};

export function spawnServer(env: Record<string, string>, args: string[] = []) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-proc-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', BUILD_BACKEND_PORT: '0', PREVIEW_PORT: '0', ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d));
  proc.stderr!.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.once('exit', (code, signal) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return { proc, dataDir, output: () => out, exited };
}

/** Starts server.ts and resolves once it prints its URL. */
export async function startServer(env: Record<string, string>, args: string[] = [], timeoutMs = 60_000): Promise<ServerProcess> {
  const s = spawnServer(env, args);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${s.output()}`)), timeoutMs);
    const check = () => {
      const m = /Portico ready on (http:\/\/\S+)/.exec(s.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    s.proc.stdout!.on('data', check);
    s.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${s.output()}`));
    });
  });
  return {
    url,
    proc: s.proc,
    output: s.output,
    exited: s.exited,
    async stop() {
      if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
      await s.exited;
    },
  };
}

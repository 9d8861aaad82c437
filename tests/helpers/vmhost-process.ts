import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestGateway } from './gateway';

// `npm run vmhost` as the tests start it: a child process with only what it needs (no JWT_SECRET), on the
// gateway's store (its DATA_DIR, or its database when the suite runs on Postgres).

const ROOT = path.resolve(__dirname, '..', '..');

export type VmhostProcess = { proc: ChildProcess; url: string; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> };

/** Starts vmhost.ts the way `npm run vmhost` does, and resolves once it says where it listens. */
export async function startVmhost(gw: TestGateway, secret: string, port: number): Promise<VmhostProcess> {
  const store = { DATA_DIR: gw.portico.config.dataDir, ...(gw.portico.config.databaseUrl ? { DATABASE_URL: gw.portico.config.databaseUrl } : {}) };
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'vmhost.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...store, VMHOST_SECRET: secret, VMHOST_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the vmhost did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /Portico vmhost ready on (http:\/\/\S+)/.exec(out);
      if (m) (clearTimeout(timer), resolve(m[1]));
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`the vmhost exited with ${code}:\n${out}`))));
  });
  return {
    proc,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

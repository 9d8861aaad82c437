import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopGroup } from './server-env';

// Starts the production server the way a deployment runs it (server.ts with the Next production build),
// on a free port with a fresh DATA_DIR and a known admin. global-setup starts the shared one; a spec that
// needs other settings (a model server on a dead port) or must restart the server starts its own.

const ROOT = path.resolve(__dirname, '..');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export type PorticoOptions = {
  /** Settings on top of the defaults below (e.g. LLM_PROVIDER, LLM_BASE_URL). */
  env?: Record<string, string>;
  /** Reuse a DATA_DIR (a restart); a fresh temp one otherwise, removed by stop(). */
  dataDir?: string;
  /** Listen on this port (a restart on the same address); 0, a free one, by default. */
  port?: number;
  /** The admin and the signing secret; fresh ones otherwise. Pass the previous ones to restart. */
  admin?: { username: string; password: string };
  jwtSecret?: string;
  emitToken?: string;
};

export type Portico = {
  url: string;
  /** The preview origin's address, as the server printed it ("Preview on http://…"). */
  previewUrl: string;
  pid: number;
  dataDir: string;
  admin: { username: string; password: string };
  jwtSecret: string;
  emitToken: string;
  /** Everything it printed so far (last 20 kB). */
  output(): string;
  /** SIGTERM (SIGKILL after 15 s); keepData leaves DATA_DIR for a restart. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /**
   * The same server again: same port, DATA_DIR, admin and secret (sign-ins survive). `whileDown` runs once
   * it has stopped and before it starts again, for what a test checks while nothing answers.
   */
  restart(options?: { whileDown?: () => Promise<void> }): Promise<Portico>;
};

export async function startPortico(options: PorticoOptions = {}): Promise<Portico> {
  const distDir = process.env.NEXT_DIST_DIR || '.next';
  if (!fs.existsSync(path.join(ROOT, distDir, 'BUILD_ID'))) {
    throw new Error('There is no Next production build in .next: run `npx next build` first (`npm test` does).');
  }
  const ownData = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'portico-e2e-'));
  const admin = options.admin ?? { username: 'admin', password: randomBytes(18).toString('base64url') };
  const emitToken = options.emitToken ?? randomBytes(24).toString('base64url');
  const jwtSecret = options.jwtSecret ?? randomBytes(48).toString('base64');

  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['server.ts'], {
    cwd: ROOT,
    // Only what the server needs, so a developer's shell (ALLOWED_ORIGINS, BUILD_BACKEND_URL…) cannot
    // change what is tested.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      // next.config.js reads it: the server must use the build this run was made with.
      ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
      // Port 0: the kernel picks a free one and the server prints it, so nothing can take it in between.
      PORT: String(options.port ?? 0),
      HOST,
      DATA_DIR: dataDir,
      JWT_SECRET: jwtSecret,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      // The embedded build backend takes a free port of its own (the default, pinned here for older checkouts).
      BUILD_BACKEND_PORT: '0',
      // The preview origin too (it prints "Preview on http://…" beside "Portico ready on").
      PREVIEW_PORT: '0',
      LOG_LEVEL: 'warn',
      // Every test signs in from 127.0.0.1; the login limits have their own suite (tests/abuse).
      LOGIN_ATTEMPTS_PER_IP: '100000',
      // Builds use the built-in templates (no model server here), streamed slowly enough that a test
      // can cut the socket mid-build.
      LLM_PROVIDER: 'offline',
      OFFLINE_STREAM_DELAY_MS: '40',
      EMIT_TOKEN: emitToken,
      VNC_PROVIDER: 'local',
      // The websockify journey registers a ws:// target on this machine.
      VNC_TARGET_ALLOW: '127.0.0.1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // tsx runs the server in a child process of its own: give both a process group, so that stop() (and
    // the exit hook below) can signal the pair at once and never leave the server orphaned.
    detached: true,
  });
  const pid = child.pid!;
  // Last resort if the runner exits without stopping it (a crash, an uncaught error).
  const onExit = () => stopGroup(pid, 'SIGKILL');
  process.once('exit', onExit);

  let text = '';
  let ready = false;
  // Once it is up, its warnings and errors (LOG_LEVEL=warn) show next to the test that caused them.
  const relay = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
    if (ready) process.stderr.write(chunk);
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = () => text;

  const stop = async ({ keepData = false } = {}) => {
    if (stopGroup(pid, 'SIGTERM')) {
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (stopGroup(pid, 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (stopGroup(pid, 0)) {
        process.stderr.write(`The server (process group ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killing it.\n`);
        stopGroup(pid, 'SIGKILL');
      }
    }
    process.off('exit', onExit);
    if (ownData && !keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  let url: string;
  try {
    url = await announcedUrl(exited, output);
    await waitUntilHealthy(url, exited, output);
  } catch (err) {
    stopGroup(pid, 'SIGKILL');
    if (ownData) fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  ready = true;
  const previewUrl = /Preview on (http:\/\/\S+)/.exec(output())?.[1] ?? '';

  const started: Portico = {
    url,
    previewUrl,
    pid,
    dataDir,
    admin,
    jwtSecret,
    emitToken,
    output,
    stop,
    async restart({ whileDown } = {}) {
      await stop({ keepData: true });
      await whileDown?.();
      const again = await startPortico({ ...options, dataDir, port: Number(new URL(url).port), admin, jwtSecret, emitToken });
      // The first start owned the DATA_DIR: the last one standing removes it.
      return ownData ? { ...again, stop: async (o) => { await again.stop(o); if (!o?.keepData) fs.rmSync(dataDir, { recursive: true, force: true }); } } : again;
    },
  };
  return started;
}

/** The URL the server prints once it listens ("Portico ready on http://…"). */
async function announcedUrl(exited: Promise<number | null>, output: () => string): Promise<string> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const m = /Portico ready on (http:\/\/\S+)/.exec(output());
    if (m) return m[1];
    if (exitCode !== undefined) throw new Error(`The server exited with code ${exitCode} before it was ready:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The server did not say where it listens within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function waitUntilHealthy(url: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`The server exited with code ${exitCode} before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The server did not answer ${url}/healthz within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

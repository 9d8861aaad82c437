import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { shippedConfig, siteFor, startNginx } from '../tests/helpers/nginx';
import { ENV, stopGroup } from './server-env';

// Starts the production server the way a deployment runs it, on a free port, with a fresh DATA_DIR and a
// known admin. The Next production build in .next must exist (`npx next build`; `npm test` builds first).

const ROOT = path.resolve(__dirname, '..');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;

export default async function globalSetup(): Promise<void> {
  const distDir = process.env.NEXT_DIST_DIR || '.next';
  if (!fs.existsSync(path.join(ROOT, distDir, 'BUILD_ID'))) {
    throw new Error('There is no Next production build in .next: run `npx next build` first (`npm test` does).');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-e2e-'));
  const admin = { username: 'admin', password: randomBytes(18).toString('base64url') };
  const emitToken = randomBytes(24).toString('base64url');
  const jwtSecret = randomBytes(48).toString('base64');

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
      PORT: '0',
      HOST,
      DATA_DIR: dataDir,
      JWT_SECRET: jwtSecret,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      // The embedded build backend takes a free port of its own instead of the default 4100.
      BUILD_BACKEND_PORT: '0',
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // tsx runs the server in a child process of its own: give both a process group, so that teardown
    // (and the exit hook below) can signal the pair at once and never leave the server orphaned.
    detached: true,
  });
  const pid = child.pid!;
  // Last resort if the runner exits without running global-teardown (a crash, an uncaught error).
  process.once('exit', () => stopGroup(pid, 'SIGKILL'));

  let output = '';
  let ready = false;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  // Once it is up, its warnings and errors (LOG_LEVEL=warn) show next to the test that caused them.
  const relay = (chunk: Buffer) => {
    keep(chunk);
    if (ready) process.stderr.write(chunk);
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let url: string;
  try {
    url = await announcedUrl(exited, () => output);
    await waitUntilHealthy(url, exited, () => output);
  } catch (err) {
    stopGroup(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  ready = true;

  process.env[ENV.url] = url;
  process.env[ENV.adminUsername] = admin.username;
  process.env[ENV.adminPassword] = admin.password;
  process.env[ENV.pid] = String(pid);
  process.env[ENV.dataDir] = dataDir;
  process.env[ENV.emitToken] = emitToken;
  process.env[ENV.jwtSecret] = jwtSecret;

  // The same server again behind nginx with the shipped deploy/nginx.conf, for the journeys that run twice.
  const port = Number(new URL(url).port);
  const nginx = await startNginx((listen) => siteFor(shippedConfig(), port, listen));
  process.once('exit', () => {
    try {
      process.kill(nginx.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  process.env[ENV.nginxUrl] = nginx.url;
  process.env[ENV.nginxPid] = String(nginx.pid);
  process.env[ENV.nginxDir] = nginx.dir;
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

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket, type ClientOptions } from 'ws';
import { createPortico, type Portico } from '../../server';
import { loadConfig } from '../../lib/config/config';
import type { PorticoRole } from '../../lib/server/process-role';
import { captureLogs } from './log-capture';
import { jsonApi } from './json-api';
import { testEngines } from './test-database';

// Starts a real gateway (API + upgrade router, no pages) on 127.0.0.1 and an ephemeral port, with its own
// DATA_DIR, and everything a test needs to talk to it.

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export type TestGateway = Awaited<ReturnType<typeof startGateway>>;

// Anything thrown outside a test's own awaits (an unhandled 'error' event, a rejected promise nobody
// awaited) is recorded and fails the gateway's close(), instead of passing unnoticed or killing the run.
const processFaults: string[] = [];
process.on('uncaughtException', (err) => processFaults.push(`uncaught: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => processFaults.push(`unhandled rejection: ${(err as Error)?.stack ?? err}`));

export async function startGateway(env: Record<string, string> = {}, opts: { role?: PorticoRole } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-test-'));
  const logs = captureLogs();
  // PORTICO_TEST_ENGINES=postgres+redis: the same suite with the store on Postgres (a fresh database each)
  // and the hub, limits and builds on a redis-server of the gateway's own.
  const engines = await testEngines(env);
  let portico: Portico;
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
      BUILD_BACKEND_PORT: '0',
      PREVIEW_PORT: '0',
      OFFLINE_STREAM_DELAY_MS: '0',
      LLM_PROVIDER: 'offline',
      // Suites sign in many users from 127.0.0.1; the login limits have tests of their own (tests/abuse).
      LOGIN_ATTEMPTS_PER_IP: '100000',
      ...engines.env,
      ...env,
    });
    portico = await createPortico({ config, next: false, logDestination: logs.stream, role: opts.role });
  } catch (err) {
    await engines.close();
    throw err;
  }
  const issuedTokens: string[] = [];

  const api = jsonApi(portico.url);

  async function login(username: string, password: string): Promise<string> {
    const r = await api('POST', '/api/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    issuedTokens.push(r.body.token);
    return r.body.token;
  }

  const adminToken = await login(ADMIN.username, ADMIN.password);

  return {
    portico,
    url: portico.url,
    wsUrl: portico.url.replace(/^http/, 'ws'),
    logs,
    issuedTokens,
    adminToken,
    api,
    login,
    async createUser(username: string, password = 'user-password-1') {
      const r = await api('POST', '/api/users', { token: adminToken, body: { username, password } });
      if (r.status !== 201) throw new Error(`create user: ${r.status}`);
      return { ...r.body, token: await login(username, password) } as { id: string; username: string; token: string };
    },
    async createProject(token: string, name = 'demo') {
      const r = await api('POST', '/api/projects', { token, body: { name } });
      if (r.status !== 201) throw new Error(`create project: ${r.status}`);
      return r.body as { id: string; name: string };
    },
    open(pathname: string, opts: ClientOptions & { protocols?: string[] } = {}) {
      return new WebSocket(this.wsUrl + pathname, opts.protocols ?? [], opts);
    },
    async close() {
      try {
        await portico.close();
      } finally {
        await engines.close();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      assertNoTokenLogged(logs.lines, issuedTokens);
      if (processFaults.length) throw new Error(`the process faulted:\n${processFaults.join('\n')}`);
    },
  };
}

/** Resolves with the close code and reason of a client socket, or the HTTP status of a refused handshake. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string; status?: number }> {
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve({ code: 0, reason: '', status: res.statusCode });
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

export function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code, reason) => reject(new Error(`closed before open: ${code} ${reason}`)));
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary) => resolve({ data, isBinary })));
}

/** The log of a whole test run must not contain a token: not one we issued, and nothing shaped like a JWT. */
export function assertNoTokenLogged(lines: string[], tokens: string[]): void {
  for (const line of lines) {
    for (const t of tokens) if (line.includes(t) || line.includes(t.split('.')[2])) throw new Error(`a token was logged: ${line.slice(0, 200)}`);
    if (/eyJ[A-Za-z0-9_-]+\.eyJ/.test(line)) throw new Error(`something shaped like a JWT was logged: ${line.slice(0, 200)}`);
  }
}

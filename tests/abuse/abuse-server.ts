import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { startEchoUpstream } from '../helpers/upstreams';
import { jsonApi } from '../helpers/json-api';

// The server the hostile table and the fuzz run against: server.ts as its own process, in production
// mode with the dashboard's pages, the way `npm start` runs it, so that its RSS is the server's alone.
// It holds an admin's project and VM session (a websockify-like echo target) that the attacking users
// do not own.

export type AbuseServer = Awaited<ReturnType<typeof startAbuseServer>>;

const ADMIN_PASSWORD = 'admin-password-abuse-1';

/** MAX_PROJECTS_PER_USER of this server, small enough for the table to reach. */
export const PROJECT_QUOTA = 5;

export async function startAbuseServer(env: Record<string, string> = {}) {
  const jwtSecret = randomBytes(48).toString('base64url');
  const echo = await startEchoUpstream();
  let proc: ServerProcess;
  try {
    proc = await startServer({
      NODE_ENV: 'production',
      JWT_SECRET: jwtSecret,
      ADMIN_PASSWORD,
      LLM_PROVIDER: 'offline',
      VNC_PROVIDER: 'external',
      VNC_TARGET_ALLOW: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Every test user signs in from 127.0.0.1; the per-username limit is what the table exercises.
      LOGIN_ATTEMPTS_PER_IP: '100000',
      MAX_PROJECTS_PER_USER: String(PROJECT_QUOTA),
      ...env,
    });
  } catch (err) {
    await echo.close();
    throw err;
  }
  const url = proc.url;

  const api = jsonApi(url);

  async function login(username: string, password: string): Promise<string> {
    const r = await api('POST', '/api/auth/login', { body: { username, password } });
    if (r.status !== 200 || typeof r.body?.token !== 'string') throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  const adminToken = await login('admin', ADMIN_PASSWORD);
  const foreignProject = (await api('POST', '/api/projects', { token: adminToken, body: { name: 'admin-only' } })).body.id as string;
  const foreignSession = (await api('POST', '/api/sessions', { token: adminToken, body: { name: 'admin-vm', target: `${echo.url}/websockify` } })).body.id as string;
  if (!foreignProject || !foreignSession) throw new Error('could not create the admin-owned project and session');

  let users = 0;
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    jwtSecret,
    adminToken,
    api,
    login,
    foreign: { foreignProject, foreignSession },
    output: proc.output,
    /** The server process's resident memory, from /proc. */
    rssMiB(): number {
      const status = fs.readFileSync(`/proc/${proc.proc.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    async createUser(role: 'user' | 'admin' = 'user') {
      const username = `abuser-${++users}-${randomBytes(3).toString('hex')}`;
      const password = randomBytes(12).toString('base64url');
      const r = await api('POST', '/api/users', { token: adminToken, body: { username, password, role } });
      if (r.status !== 201) throw new Error(`create user: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.id as string, username, password, token: await login(username, password) };
    },
    /** A signed-in user on the hub, in a process of its own (normal-client.ts); stop() gives its round-trip times. */
    async normalClient() {
      const user = await this.createUser();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'normal-client.ts'), `${this.wsUrl}/api/events?token=${user.token}`], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await new Promise<void>((resolve, reject) => {
        const check = () => (out.startsWith('ready\n') ? resolve() : undefined);
        child.stdout!.on('data', check);
        void exited.then((code) => reject(new Error(`the normal client exited with ${code} before it was ready`)));
      });
      return {
        async stop(): Promise<number[]> {
          child.stdin!.end();
          const code = await exited;
          if (code !== 0) throw new Error(`the normal client failed (exit ${code})`);
          return JSON.parse(out.split('\n')[1]) as number[];
        },
      };
    },
    async stop() {
      await proc.stop();
      await echo.close();
    },
  };
}

/** A session token shaped like the server's, signed with `secret`. */
export function forgeToken(secret: string, claims: { sub: string; exp?: number; aud?: string; role?: string }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: 'someone', role: claims.role ?? 'user' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(claims.aud ?? TOKEN_AUDIENCE)
    .setIssuedAt(now - 120)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(new TextEncoder().encode(secret));
}

import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { createBackendTokens } from '../../lib/auth/backend-tokens';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens';
import { clientFrame, describeOutcome, findClose, rawExchange, upgradeRequest, type Outcome } from '../helpers/raw-exchange';
import { PROJECT_QUOTA, forgeToken, type AbuseServer } from './abuse-server';

// What a hostile signed-in user tries, one row each: the input, and the one answer the server must give
// (a close code from the table, an HTTP status, or an `error` message on a socket that stays open).

export type Fixtures = {
  server: AbuseServer;
  /** The attacker: a normal user with a project and nothing else. */
  mallory: { id: string; token: string; project: string };
  /** Another normal user, whose project the attacker goes after. */
  victim: { id: string; token: string; project: string };
};

export type Row = { name: string; expect: string; run(f: Fixtures): Promise<string> };

const OTHER_KEY = randomBytes(48).toString('base64url');

function upgrade(f: Fixtures, path: string, headers: Record<string, string | null> = {}, opts: { afterOpen?: Buffer } = {}): Promise<string> {
  return rawExchange(f.server.url, upgradeRequest(f.server.url, path, headers), { openAfterMs: 1000, afterOpen: opts.afterOpen }).then(describeOutcome).then(bare);
}

async function http(f: Fixtures, method: string, path: string, opts: { token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const res = await fetch(f.server.url + path, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    body: opts.body,
  });
  await res.arrayBuffer();
  return `HTTP ${res.status}`;
}

function raw(f: Fixtures, bytes: string | Buffer): Promise<string> {
  return rawExchange(f.server.url, bytes).then(describeOutcome).then(bare);
}

const bare = (s: string) => s.replace(/ \(.*\)$/, '');

/** Opens the hub as mallory, sends one message, and reports the first `error` message's code. */
async function hubMessage(f: Fixtures, message: unknown): Promise<string> {
  const frame = clientFrame(0x1, Buffer.from(JSON.stringify(message)));
  return new Promise((resolve) => {
    const { hostname, port } = new URL(f.server.url);
    const net = require('node:net') as typeof import('node:net');
    const s = net.connect(Number(port), hostname, () => s.write(upgradeRequest(f.server.url, `/api/events?token=${f.mallory.token}`)));
    let buf = Buffer.alloc(0);
    let sent = false;
    const done = (r: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('no answer'), 2000);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!sent) {
        sent = true;
        s.write(frame);
      }
      const body = buf.subarray(end + 4);
      const close = findClose(body);
      if (close) return done(`close ${close.code}`);
      const m = /"type":"error"[^}]*"code":(\d+)/.exec(body.toString('latin1'));
      if (m) done(`message ${m[1]}`);
    });
  });
}

async function signed(claims: Record<string, unknown>, sub: string, opts: { alg?: string; key?: string; aud?: string; iss?: string; exp?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const alg = opts.alg ?? 'HS256';
  return new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setSubject(sub)
    .setIssuer(opts.iss ?? TOKEN_ISSUER)
    .setAudience(opts.aud ?? TOKEN_AUDIENCE)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(new TextEncoder().encode(opts.key ?? OTHER_KEY));
}

async function ticket(f: Fixtures, token: string, route: 'build' | 'events', resource?: string): Promise<string> {
  const path = route === 'build' ? `/api/build/${resource}` : '/api/events';
  const r = await f.server.api('POST', '/api/socket-tickets', { token, body: { path } });
  if (r.status !== 200) throw new Error(`ticket: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.ticket as string;
}

/** Opens a socket with a ticket and closes it again, so the ticket is spent. */
async function spend(f: Fixtures, path: string): Promise<void> {
  const first = await upgrade(f, path);
  if (first !== 'open') throw new Error(`the ticket's first use should open the socket, got ${first}`);
}

/** A new sign-in of a new user, for rows that end it. */
async function freshUser(f: Fixtures) {
  return f.server.createUser();
}

export const HOSTILE_ROWS: Row[] = [
  // Step 1: the route table.
  { name: 'an upgrade to a path no route claims', expect: 'HTTP 404', run: (f) => upgrade(f, '/api/not-a-socket') },
  { name: 'a target starting with // is a path, not a host', expect: 'HTTP 404', run: (f) => upgrade(f, `//evil.example/api/events?token=${f.mallory.token}`) },
  { name: 'HMR in production', expect: 'HTTP 404', run: (f) => upgrade(f, '/_next/webpack-hmr') },
  // Malformed ids and queries.
  { name: 'a project id with a space', expect: 'close 4400', run: (f) => upgrade(f, `/api/build/not%20an%20id?token=${f.mallory.token}`) },
  { name: 'a project id that is broken percent-encoding', expect: 'close 4400', run: (f) => upgrade(f, `/api/build/%E0%A4%A?token=${f.mallory.token}`) },
  { name: 'an encoded traversal as a project id', expect: 'close 4400', run: (f) => upgrade(f, `/api/build/..%2F..%2Fetc?token=${f.mallory.token}`) },
  { name: 'a negative resume point', expect: 'close 4400', run: (f) => upgrade(f, `/api/build/${f.mallory.project}?after=-1&token=${f.mallory.token}`) },
  { name: 'a resume point in exponent form', expect: 'close 4400', run: (f) => upgrade(f, `/api/build/${f.mallory.project}?after=1e3&token=${f.mallory.token}`) },
  { name: 'a build id with a slash', expect: 'close 4400', run: (f) => upgrade(f, `/api/build/${f.mallory.project}?build=..%2Fx&token=${f.mallory.token}`) },
  { name: 'a 65-character session id', expect: 'close 4400', run: (f) => upgrade(f, `/api/sessions/${'x'.repeat(65)}/vnc?token=${f.mallory.token}`) },
  // Step 3: credentials.
  { name: 'no credential at all', expect: 'close 4401', run: (f) => upgrade(f, `/api/build/${f.mallory.project}`) },
  { name: 'a token that is not a JWT', expect: 'close 4401', run: (f) => upgrade(f, `/api/build/${f.mallory.project}?token=not-a-jwt`) },
  { name: 'an expired token of the right key', expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${await forgeToken(f.server.jwtSecret, { sub: f.mallory.id, exp: Math.floor(Date.now() / 1000) - 30 })}`) },
  { name: 'an admin token signed with another key', expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.victim.project}?token=${await signed({ name: 'admin', role: 'admin' }, f.mallory.id)}`) },
  {
    name: 'an alg:none token claiming admin',
    expect: 'close 4401',
    run: (f) => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const t = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: f.mallory.id, name: 'x', role: 'admin', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 9e9 })}.`;
      return upgrade(f, `/api/build/${f.victim.project}?token=${t}`);
    },
  },
  { name: 'an HS512 token with the right secret', expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${await signed({ name: 'x', role: 'user' }, f.mallory.id, { alg: 'HS512', key: f.server.jwtSecret + f.server.jwtSecret })}`) },
  { name: 'a token for another audience', expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${await forgeToken(f.server.jwtSecret, { sub: f.mallory.id, aud: 'someone-else' })}`) },
  { name: 'a token from another issuer', expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${await signed({ name: 'x', role: 'user' }, f.mallory.id, { key: f.server.jwtSecret, iss: 'evil' })}`) },
  { name: 'a Bearer header that is not a token', expect: 'close 4401', run: (f) => upgrade(f, `/api/build/${f.mallory.project}`, { Authorization: 'Bearer ../../../../etc/passwd' }) },
  { name: 'the session cookie without an Origin (not a browser)', expect: 'close 4401', run: (f) => upgrade(f, `/api/build/${f.mallory.project}`, { Cookie: `portico_session=${f.mallory.token}` }) },
  // Step 2: Origin.
  { name: 'a foreign Origin with a good credential', expect: 'close 4403', run: (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${f.mallory.token}`, { Origin: 'https://evil.example' }) },
  { name: 'Origin: null (a sandboxed frame)', expect: 'close 4403', run: (f) => upgrade(f, `/api/build/${f.mallory.project}`, { Origin: 'null', Cookie: `portico_session=${f.mallory.token}` }) },
  { name: 'an Origin of the right host on another port', expect: 'close 4403', run: (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${f.mallory.token}`, { Origin: `http://${new URL(f.server.url).hostname}:1` }) },
  // Step 4: authorisation.
  { name: "another user's project", expect: 'close 4403', run: (f) => upgrade(f, `/api/build/${f.victim.project}?token=${f.mallory.token}`) },
  { name: "the admin's VM session", expect: 'close 4403', run: (f) => upgrade(f, `/api/sessions/${f.server.foreign.foreignSession}/vnc?token=${f.mallory.token}`, { 'Sec-WebSocket-Protocol': 'binary' }) },
  { name: "the admin's VM session through the older noVNC path", expect: 'close 4403', run: (f) => upgrade(f, `/api/auth/session/${f.server.foreign.foreignSession}/novnc/websock?token=${f.mallory.token}`) },
  { name: 'a project that does not exist', expect: 'close 4404', run: (f) => upgrade(f, `/api/build/${'n'.repeat(12)}?token=${f.mallory.token}`) },
  { name: 'a session that does not exist', expect: 'close 4404', run: (f) => upgrade(f, `/api/sessions/${'n'.repeat(12)}/vnc?token=${f.mallory.token}`) },
  // The handshake itself.
  { name: 'a Sec-WebSocket-Key that is not 16 bytes of base64', expect: 'HTTP 400', run: (f) => upgrade(f, `/api/build/${f.victim.project}?token=${f.mallory.token}`, { 'Sec-WebSocket-Key': 'short' }) },
  { name: 'WebSocket version 12', expect: 'HTTP 400', run: (f) => upgrade(f, `/api/build/${f.victim.project}?token=${f.mallory.token}`, { 'Sec-WebSocket-Version': '12' }) },
  // Frames on an open hub socket.
  { name: 'a 100 KiB text frame to the hub', expect: 'close 1009', run: (f) => upgrade(f, `/api/events?token=${f.mallory.token}`, {}, { afterOpen: clientFrame(0x1, Buffer.alloc(100 * 1024, 0x61)) }) },
  { name: 'an unmasked frame to the hub', expect: 'close 1002', run: (f) => upgrade(f, `/api/events?token=${f.mallory.token}`, {}, { afterOpen: clientFrame(0x1, Buffer.from('{}'), { mask: false }) }) },
  { name: 'a text frame that is not UTF-8', expect: 'close 1007', run: (f) => upgrade(f, `/api/events?token=${f.mallory.token}`, {}, { afterOpen: clientFrame(0x1, Buffer.from([0xc3, 0x28])) }) },
  { name: "subscribing to another user's project files", expect: 'message 4403', run: (f) => hubMessage(f, { type: 'subscribe', topic: `project:${f.victim.project}:files` }) },
  { name: 'subscribing to system stats as a normal user', expect: 'message 4403', run: (f) => hubMessage(f, { type: 'subscribe', topic: 'system' }) },
  { name: 'a hub message with a made-up type', expect: 'message 4400', run: (f) => hubMessage(f, { type: 'publish', topic: 'sessions', data: 'x' }) },
  // Socket tickets (single use, one route, one resource, never a sign-in).
  {
    name: 'a socket ticket used a second time',
    expect: 'close 4401',
    run: async (f) => {
      const t = await ticket(f, f.mallory.token, 'build', f.mallory.project);
      await spend(f, `/api/build/${f.mallory.project}?ticket=${t}`);
      return upgrade(f, `/api/build/${f.mallory.project}?ticket=${t}`);
    },
  },
  { name: "a ticket for one's own project used on another user's", expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.victim.project}?ticket=${await ticket(f, f.mallory.token, 'build', f.mallory.project)}`) },
  { name: 'a ticket for the hub used on a build socket', expect: 'close 4401', run: async (f) => upgrade(f, `/api/build/${f.mallory.project}?ticket=${await ticket(f, f.mallory.token, 'events')}`) },
  { name: 'a ticket passed as a sign-in token', expect: 'close 4401', run: async (f) => upgrade(f, `/api/events?token=${await ticket(f, f.mallory.token, 'events')}`) },
  { name: 'a ticket as Bearer on the API', expect: 'HTTP 401', run: async (f) => http(f, 'GET', '/api/projects', { token: await ticket(f, f.mallory.token, 'events') }) },
  { name: 'a sign-in token passed as a ticket', expect: 'close 4401', run: (f) => upgrade(f, `/api/events?ticket=${f.mallory.token}`) },
  { name: "asking for a ticket to another user's project", expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/socket-tickets', { token: f.mallory.token, body: JSON.stringify({ path: `/api/build/${f.victim.project}` }), headers: { 'content-type': 'application/json' } }) },
  // Credentials that outlived their purpose.
  {
    name: 'the token of a signed-out session, on a socket',
    expect: 'close 4401',
    run: async (f) => {
      const u = await freshUser(f);
      const out = await f.server.api('POST', '/api/auth/logout', { token: u.token });
      if (out.status !== 204) throw new Error(`logout: ${out.status}`);
      return upgrade(f, `/api/events?token=${u.token}`);
    },
  },
  {
    name: 'the token of a deleted user, on the API',
    expect: 'HTTP 401',
    run: async (f) => {
      const u = await freshUser(f);
      const del = await f.server.api('DELETE', `/api/users/${u.id}`, { token: f.server.adminToken });
      if (del.status !== 204) throw new Error(`delete: ${del.status}`);
      return http(f, 'GET', '/api/projects', { token: u.token });
    },
  },
  {
    name: "the build backend's minted token replayed against the API",
    expect: 'HTTP 401',
    run: async (f) => http(f, 'GET', '/api/projects', { token: await createBackendTokens(f.server.jwtSecret).mint({ user: { userId: f.mallory.id, username: 'x', role: 'admin' }, projectId: f.mallory.project }) }),
  },
  {
    name: "the build backend's minted token on a socket",
    expect: 'close 4401',
    run: async (f) => upgrade(f, `/api/build/${f.mallory.project}?token=${await createBackendTokens(f.server.jwtSecret).mint({ user: { userId: f.mallory.id, username: 'x', role: 'user' }, projectId: f.mallory.project })}`),
  },
  {
    name: 'a browser login gets no token to keep',
    expect: 'HTTP 200 without a token',
    run: async (f) => {
      const u = await freshUser(f);
      const r = await f.server.api('POST', '/api/auth/login', { body: { username: u.username, password: u.password }, headers: { origin: f.server.url } });
      return `HTTP ${r.status} ${r.body && 'token' in r.body ? 'with' : 'without'} a token`;
    },
  },
  { name: 'logout from a foreign Origin with the cookie', expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/auth/logout', { headers: { cookie: `portico_session=${f.mallory.token}`, origin: 'https://evil.example' } }) },
  { name: 'a cookie-authenticated change from the right host over the wrong scheme', expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/projects', { body: '{"name":"csrf"}', headers: { 'content-type': 'application/json', cookie: `portico_session=${f.mallory.token}`, origin: f.server.url.replace('http:', 'https:') } }) },
  {
    name: 'the eleventh wrong password for one username within a minute',
    expect: 'HTTP 429',
    run: async (f) => {
      const u = await freshUser(f);
      let last = '';
      for (let i = 0; i < 11; i++) last = await http(f, 'POST', '/api/auth/login', { body: JSON.stringify({ username: u.username, password: `wrong-${i}-password` }), headers: { 'content-type': 'application/json' } });
      return last;
    },
  },
  // Operations endpoints.
  { name: 'metrics without a credential', expect: 'HTTP 401', run: (f) => http(f, 'GET', '/metrics') },
  { name: 'metrics as a normal user', expect: 'HTTP 403', run: (f) => http(f, 'GET', '/metrics', { token: f.mallory.token }) },
  { name: 'health details as a normal user', expect: 'HTTP 403', run: (f) => http(f, 'GET', '/api/admin/health', { token: f.mallory.token }) },
  {
    name: 'the public health check tells nothing but ok',
    expect: 'HTTP 200 {"status":"ok"}',
    run: async (f) => {
      const r = await fetch(`${f.server.url}/healthz`);
      return `HTTP ${r.status} ${await r.text()}`;
    },
  },
  // Files and quotas.
  {
    name: 'an upload to a path under a file',
    expect: 'HTTP 400',
    run: async (f) => {
      await http(f, 'PUT', `/api/projects/${f.mallory.project}/files/notes.txt`, { token: f.mallory.token, body: 'x' });
      return http(f, 'PUT', `/api/projects/${f.mallory.project}/files/notes.txt/inner.txt`, { token: f.mallory.token, body: 'y' });
    },
  },
  {
    name: 'one project more than the quota',
    expect: 'HTTP 403',
    run: async (f) => {
      const u = await freshUser(f);
      let last = '';
      for (let i = 0; i <= PROJECT_QUOTA; i++) last = await http(f, 'POST', '/api/projects', { token: u.token, body: JSON.stringify({ name: `p${i}` }), headers: { 'content-type': 'application/json' } });
      return last;
    },
  },
  // HTTP.
  { name: 'a request line that is not HTTP', expect: 'HTTP 400', run: (f) => raw(f, 'HELLO THERE\r\n\r\n') },
  { name: 'a 20 KiB header', expect: 'HTTP 431', run: (f) => raw(f, `GET /api/projects HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`) },
  { name: 'login with a text/plain body', expect: 'HTTP 415', run: (f) => http(f, 'POST', '/api/auth/login', { body: 'admin', headers: { 'content-type': 'text/plain' } }) },
  { name: 'login with a 100 KiB body', expect: 'HTTP 413', run: (f) => http(f, 'POST', '/api/auth/login', { body: JSON.stringify({ username: 'a'.repeat(100 * 1024) }), headers: { 'content-type': 'application/json' } }) },
  { name: 'login with a body that is not JSON', expect: 'HTTP 400', run: (f) => http(f, 'POST', '/api/auth/login', { body: '{"username":', headers: { 'content-type': 'application/json' } }) },
  { name: 'a project id with a NUL byte', expect: 'HTTP 400', run: (f) => http(f, 'GET', '/api/projects/%00', { token: f.mallory.token }) },
  { name: "deleting another user's project", expect: 'HTTP 403', run: (f) => http(f, 'DELETE', `/api/projects/${f.victim.project}`, { token: f.mallory.token }) },
  { name: "reading another user's files", expect: 'HTTP 403', run: (f) => http(f, 'GET', `/api/projects/${f.victim.project}/files`, { token: f.mallory.token }) },
  { name: 'an encoded ../ out of the workspace', expect: 'HTTP 400', run: (f) => http(f, 'GET', `/api/projects/${f.mallory.project}/files/..%2F..%2Fportico.db`, { token: f.mallory.token }) },
  { name: 'an upload to an absolute path', expect: 'HTTP 400', run: (f) => http(f, 'PUT', `/api/projects/${f.mallory.project}/files/%2Fetc%2Fpasswd`, { token: f.mallory.token, body: 'x' }) },
  { name: 'creating a user as a normal user', expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/users', { token: f.mallory.token, body: JSON.stringify({ username: 'evil', password: 'password-123', role: 'admin' }), headers: { 'content-type': 'application/json' } }) },
  { name: 'registering a VM target as a normal user', expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/sessions', { token: f.mallory.token, body: JSON.stringify({ name: 'x', target: 'tcp://127.0.0.1:22' }), headers: { 'content-type': 'application/json' } }) },
  { name: 'disconnecting everyone as a normal user', expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/admin/sockets/close', { token: f.mallory.token, body: '{}', headers: { 'content-type': 'application/json' } }) },
  { name: 'publishing to the hub without the emit token', expect: 'HTTP 401', run: (f) => http(f, 'POST', '/api/emit', { token: undefined, body: '{"topic":"sessions","data":1}', headers: { 'content-type': 'application/json' } }) },
  { name: 'publishing to the hub with a user token as the emit token', expect: 'HTTP 403', run: (f) => http(f, 'POST', '/api/emit', { token: f.mallory.token, body: '{"topic":"sessions","data":1}', headers: { 'content-type': 'application/json' } }) },
  {
    name: 'a cookie-authenticated change from a foreign Origin',
    expect: 'HTTP 403',
    run: (f) => http(f, 'POST', '/api/projects', { body: '{"name":"csrf"}', headers: { 'content-type': 'application/json', cookie: `portico_session=${f.mallory.token}`, origin: 'https://evil.example' } }),
  },
];

export type { Outcome };

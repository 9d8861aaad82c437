import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens';
import { clientFrame, describeOutcome, findClose, rawExchange, upgradeRequest, type Outcome } from '../helpers/raw-exchange';
import { forgeToken, type AbuseServer } from './abuse-server';

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

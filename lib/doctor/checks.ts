import dns from 'node:dns/promises';
import net from 'node:net';
import { WebSocket } from 'ws';
import { closeInfo } from '../errors/close-codes';
import { rawUpgrade, type RawAnswer } from './raw-handshake';
import { SESSIONS_TOPIC } from '../protocol/topics';
import type { HubClientMessage } from '../protocol/hub';

// The layers between a browser and a Portico socket, each checked on its own, in order. Every check
// says what it saw, and when something is broken, what to change.

export type CheckResult = { name: string; ok: boolean; detail: string; fix?: string; ms?: number };

export type Target = { base: URL; socket: URL; token?: string; origin: string };

export function targetFrom(input: string, token?: string): Target {
  const url = new URL(/^[a-z]+:\/\//i.test(input) ? input : `http://${input}`);
  const httpProto = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:';
  const base = new URL(`${httpProto}//${url.host}`);
  const socketPath = url.pathname.startsWith('/api/') ? url.pathname : '/api/events';
  const socket = new URL(`${httpProto === 'https:' ? 'wss:' : 'ws:'}//${url.host}${socketPath}`);
  return { base, socket, token, origin: base.origin };
}

const port = (u: URL) => Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));

export async function checkDns(t: Target): Promise<CheckResult> {
  const host = t.base.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return { name: 'dns', ok: true, detail: `${host} is an address; nothing to resolve.` };
  try {
    const found = await dns.lookup(host, { all: true });
    return { name: 'dns', ok: true, detail: `${host} resolves to ${found.map((a) => a.address).join(', ')}.` };
  } catch (err) {
    return { name: 'dns', ok: false, detail: `${host} does not resolve (${(err as NodeJS.ErrnoException).code}).`, fix: 'Check the host name, or add it to DNS or /etc/hosts.' };
  }
}

export function checkTcp(t: Target, timeoutMs = 5000): Promise<CheckResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = net.connect(port(t.base), t.base.hostname.replace(/^\[|\]$/g, ''));
    const done = (r: CheckResult) => (s.destroy(), resolve({ ...r, ms: Date.now() - started }));
    s.setTimeout(timeoutMs, () => done({ name: 'tcp', ok: false, detail: `No answer from ${t.base.host} within ${timeoutMs} ms.`, fix: 'A firewall is dropping the connection, or the host is down.' }));
    s.once('connect', () => done({ name: 'tcp', ok: true, detail: `${t.base.host} accepts TCP connections.` }));
    s.once('error', (err: NodeJS.ErrnoException) =>
      done({
        name: 'tcp',
        ok: false,
        detail: `${t.base.host} refused the connection (${err.code}).`,
        fix: err.code === 'ECONNREFUSED' ? `Nothing listens on port ${port(t.base)}: start the server (or the proxy in front of it), or check the port.` : 'Check the address and the network in between.',
      }),
    );
  });
}

export async function checkHttp(t: Target): Promise<CheckResult> {
  const started = Date.now();
  try {
    const res = await fetch(new URL('/healthz', t.base), { signal: AbortSignal.timeout(5000), redirect: 'manual' });
    const ms = Date.now() - started;
    if (res.status >= 500) return { name: 'http', ok: false, ms, detail: `GET /healthz answered ${res.status}.`, fix: res.status === 502 || res.status === 504 ? 'The proxy cannot reach Portico: check its upstream address and that server.ts is running.' : 'The server is failing; read its log.' };
    const body = await res.text();
    const portico = /^\{"status":"(ok|draining)"\}$/.test(body.trim());
    return { name: 'http', ok: true, ms, detail: `GET /healthz answered ${res.status}${portico ? ' from Portico' : ''}.` };
  } catch (err) {
    return { name: 'http', ok: false, ms: Date.now() - started, detail: `Plain HTTP failed: ${(err as Error).message}.`, fix: 'The port accepts connections but does not speak HTTP here: is it the right port, and TLS where it should be?' };
  }
}

/** The handshake without a token: a working path answers 101 and then closes with 4401. */
export async function checkHandshake(t: Target): Promise<CheckResult & { answer?: RawAnswer }> {
  const started = Date.now();
  let answer: RawAnswer;
  try {
    answer = await rawUpgrade(t.socket, { timeoutMs: 10_000, origin: t.origin });
  } catch (err) {
    return { name: 'handshake', ok: false, ms: Date.now() - started, detail: `The upgrade got no answer: ${(err as Error).message}.`, fix: 'Something in between swallows upgrade requests; check the proxy for a timeout or a WebSocket setting.' };
  }
  const ms = Date.now() - started;
  const seen = `${answer.status} ${answer.statusText}`.trim();
  const upgradeHeader = answer.headers.upgrade;
  if (answer.status === 101) {
    if (!answer.acceptValid) return { name: 'handshake', ok: false, ms, answer, detail: `101 came back with a wrong Sec-WebSocket-Accept.`, fix: 'Something rewrites the handshake headers; let them through unchanged.' };
    return { name: 'handshake', ok: true, ms, answer, detail: `101 Switching Protocols with a valid Sec-WebSocket-Accept${answer.closeCode ? `, then close ${answer.closeCode} (${closeInfo(answer.closeCode)?.meaning ?? 'unknown code'})` : ''}.` };
  }
  if ((answer.status === 426 || answer.status === 400) && !upgradeHeader) {
    return {
      name: 'handshake',
      ok: false,
      ms,
      answer,
      detail: `The answer was ${seen} without Upgrade: the request reached the server without its Upgrade header.`,
      fix: 'The proxy is not forwarding the Upgrade header. In nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; (see deploy/nginx.conf).',
    };
  }
  if (answer.status === 404) return { name: 'handshake', ok: false, ms, answer, detail: `${seen}: nothing serves ${t.socket.pathname} here.`, fix: 'Check the path, and that the proxy sends this path to Portico.' };
  if (answer.status === 502 || answer.status === 504) return { name: 'handshake', ok: false, ms, answer, detail: `${seen} from the proxy.`, fix: 'The proxy cannot reach Portico for upgrades: check its upstream and timeouts.' };
  return { name: 'handshake', ok: false, ms, answer, detail: `The upgrade was answered ${seen}.`, fix: 'Something between here and Portico does not pass WebSocket upgrades.' };
}

export type OpenSocket = { ws: WebSocket; result: CheckResult };

/** Opens the socket with the token and reports the close code if it is refused. */
export function checkAuth(t: Target): Promise<OpenSocket | CheckResult> {
  if (!t.token) return Promise.resolve({ name: 'auth', ok: false, detail: 'Skipped: no token given.', fix: 'Pass --token <token> (POST /api/auth/login returns one) to check sign-in, a round trip and stability.' });
  const started = Date.now();
  const url = new URL(t.socket);
  url.searchParams.set('token', t.token);
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { origin: t.origin }, handshakeTimeout: 10_000 });
    let settled = false;
    const openTimer = setTimeout(() => {
      if (settled) return;
      settled = true;
      resolve({ ws, result: { name: 'auth', ok: true, ms: Date.now() - started, detail: 'The token was accepted; the socket is open.' } });
    }, 500);
    ws.on('error', () => undefined);
    ws.once('close', (code, reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(openTimer);
      const info = closeInfo(code);
      resolve({
        name: 'auth',
        ok: false,
        ms: Date.now() - started,
        detail: `The socket closed with ${code}${reason.length ? ` (${reason})` : ''}: ${info?.meaning ?? 'no such code in the table'}.`,
        fix: code === 4401 ? 'Sign in again for a fresh token.' : code === 4403 ? "The token's user may not open this socket, or the Origin is not allowed (ALLOWED_ORIGINS)." : code === 1006 ? 'The connection dropped without a close frame: see the handshake check.' : info?.sentence ?? undefined,
      });
    });
  });
}

export function checkRoundTrip(ws: WebSocket): Promise<CheckResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ name: 'round-trip', ok: false, detail: 'No answer to a subscribe within 5 s.', fix: 'Messages are not coming back: check for a proxy that buffers WebSocket frames.' }), 5000);
    ws.once('message', () => {
      clearTimeout(timer);
      resolve({ name: 'round-trip', ok: true, ms: Date.now() - started, detail: `A message went there and back in ${Date.now() - started} ms.` });
    });
    ws.send(JSON.stringify({ type: 'subscribe', topic: SESSIONS_TOPIC } satisfies HubClientMessage));
  });
}

/** Keeps the socket open and quiet; a close on the way is timed, because the time names the culprit. */
export function checkStability(ws: WebSocket, seconds: number): Promise<CheckResult> {
  const started = Date.now();
  let pings = 0;
  ws.on('ping', () => pings++);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.removeAllListeners('close');
      resolve({ name: 'stability', ok: true, ms: Date.now() - started, detail: `The socket stayed open for ${seconds} s (${pings} server ping${pings === 1 ? '' : 's'} seen).` });
    }, seconds * 1000);
    ws.once('close', (code) => {
      clearTimeout(timer);
      const after = (Date.now() - started) / 1000;
      const idle = code === 1006 && pings === 0;
      resolve({
        name: 'stability',
        ok: false,
        ms: Date.now() - started,
        detail: `The socket closed after ${after.toFixed(1)} s with ${code}${idle ? ', with no traffic in between: an idle timeout' : ''}.`,
        fix: idle
          ? `A proxy closes connections idle for about ${Math.round(after)} s (nginx: proxy_read_timeout, default 60 s). Raise it above HEARTBEAT_MS, or lower HEARTBEAT_MS below it.`
          : closeInfo(code)?.sentence ?? 'Read the server log for this socket.',
      });
    });
  });
}

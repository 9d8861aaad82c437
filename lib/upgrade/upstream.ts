import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE, withoutCookie } from '../auth/request-token';

// Step 6: what goes upstream. The target is resolved from server-side state only; the request is
// rewritten so the token leaves the URL and travels as `Authorization: Bearer`, and the upstream learns
// who the client was from X-Forwarded-*.

export type Upstream = { kind: 'ws'; url: URL } | { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string } | { kind: 'hub' };

/** The build backend's socket for a project, keeping the client's query minus the token. */
export function buildUpstream(base: URL, projectId: string, query: URLSearchParams): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/build/${encodeURIComponent(projectId)}`;
  url.search = withoutToken(query);
  return url;
}

/**
 * A session's stored target: `ws://` (a websockify, proxied), `tcp://` (a VNC server, bridged) or `unix:`
 * (a local sandbox's VNC socket, bridged; only the local provider writes such a target, never a request).
 */
export function sessionUpstream(target: string): Upstream | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return { kind: 'ws', url };
  if (url.protocol === 'unix:' && url.pathname.startsWith('/')) return { kind: 'unix', path: decodeURIComponent(url.pathname) };
  if (url.protocol === 'tcp:' && url.hostname && url.port) return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
  return null;
}

export function withoutToken(query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  q.delete('token');
  q.delete('ticket');
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Rewrites the client's request into the one the upstream receives. */
export function prepareUpstreamRequest(req: IncomingMessage, upstream: URL, token: string): void {
  req.url = upstream.pathname + upstream.search;
  req.headers.authorization = `Bearer ${token}`;
  const cookie = withoutCookie(req.headers.cookie, SESSION_COOKIE);
  if (cookie) req.headers.cookie = cookie;
  else delete req.headers.cookie;
  const remote = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  req.headers['x-forwarded-for'] = prior ? `${prior}, ${remote}` : remote;
  req.headers['x-forwarded-proto'] ??= (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  if (req.headers.host) req.headers['x-forwarded-host'] ??= req.headers.host;
}

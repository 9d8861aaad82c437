import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { withoutToken } from '../auth/request-token';

// Step 6: what goes upstream. The target is resolved from server-side state only. No credential of the
// user's goes upstream (design.md "Trust boundaries"): the token leaves the URL, the browser's cookies
// and Authorization header are dropped, and only the build backend gets a bearer — one minted for it.
// The upstream learns who the client was from X-Forwarded-*.

/** Where a session's stored target says its VNC stream is. */
export type SessionTarget = { kind: 'ws'; url: URL } | { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/**
 * A session's stored target: `ws://` (a websockify, proxied), `tcp://` (a VNC server, bridged) or `unix:`
 * (a local sandbox's VNC socket, bridged; only the local provider writes such a target, never a request).
 */
export function sessionUpstream(target: string): SessionTarget | null {
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

export { withoutToken };

/**
 * Rewrites the client's request into the one the upstream receives. `bearer` is a credential minted for
 * that upstream (the build backend); without it, no Authorization header goes at all. `headers` are the
 * route's identity headers; a client's own `X-Portico-*` never passes, so an upstream can trust them.
 */
export function prepareUpstreamRequest(req: IncomingMessage, upstream: URL, bearer?: string, headers?: Readonly<Record<string, string>>): void {
  req.url = upstream.pathname + upstream.search;
  delete req.headers.authorization;
  delete req.headers['proxy-authorization'];
  // Every cookie of the browser, not only ours: they belong to the dashboard's origin, not to a backend.
  delete req.headers.cookie;
  for (const name of Object.keys(req.headers)) if (name.startsWith('x-portico-')) delete req.headers[name];
  if (headers) for (const [name, value] of Object.entries(headers)) req.headers[name.toLowerCase()] = value;
  if (bearer) req.headers.authorization = `Bearer ${bearer}`;
  const remote = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  req.headers['x-forwarded-for'] = prior ? `${prior}, ${remote}` : remote;
  req.headers['x-forwarded-proto'] ??= (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  if (req.headers.host) req.headers['x-forwarded-host'] ??= req.headers.host;
}

/**
 * An agent whose connections go to one vetted address whatever the name resolves to now, so the Host
 * header, TLS server name and certificate check keep the target's name (no DNS rebinding between the
 * check and the connect). One per connection; nothing is pooled, an upgraded socket leaves the agent.
 */
export function pinnedAgent(url: URL, pinned: { address: string; family: 4 | 6 }): http.Agent {
  const lookup = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
  return url.protocol === 'wss:' ? new https.Agent({ lookup }) : new http.Agent({ lookup });
}

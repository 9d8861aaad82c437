import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'portico_session';

/** The value of one cookie from a Cookie header, without decoding surprises. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Removes one cookie from a Cookie header; undefined when nothing is left. */
export function withoutCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && p.split('=')[0].trim() !== name);
  return kept.length ? kept.join('; ') : undefined;
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export type TokenSource = 'ticket' | 'query' | 'cookie' | 'header';

/**
 * Where an upgrade's credential comes from (design.md step 3): a socket ticket (`?ticket=`, what browsers
 * send) first, then `Authorization: Bearer` or `?token=` (non-browser clients), then the session cookie,
 * which the caller accepts only with an allowed Origin.
 */
export function upgradeToken(query: URLSearchParams, headers: IncomingHttpHeaders): { token: string; source: TokenSource } | null {
  const t = query.get('ticket');
  if (t) return { token: t, source: 'ticket' };
  const b = bearerToken(headers);
  if (b) return { token: b, source: 'header' };
  const q = query.get('token');
  if (q) return { token: q, source: 'query' };
  const c = readCookie(headers.cookie, SESSION_COOKIE);
  if (c) return { token: c, source: 'cookie' };
  return null;
}

/** A query without the credentials a client may put there (`token`, `ticket`): what an upstream gets. */
export function withoutToken(query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  q.delete('token');
  q.delete('ticket');
  const s = q.toString();
  return s ? `?${s}` : '';
}

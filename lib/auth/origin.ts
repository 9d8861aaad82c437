import type { IncomingMessage } from 'node:http';

// Step 2 of an upgrade, and the check on every cookie-authenticated change. Browsers always send Origin on
// a WebSocket handshake, so its absence means a non-browser client (which cannot be driven by another
// site). With an Origin it must be allowed: the configured list, or by default the origin the server was
// reached at — scheme, host and port all three, so http://dash:3000 cannot speak for https://dash.

export type OriginCheck = { ok: true; browser: boolean } | { ok: false; origin: string };

export function checkOrigin(req: IncomingMessage, allowed: readonly string[]): OriginCheck {
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true, browser: false };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { ok: false, origin };
  }
  if (allowed.length > 0) return allowed.includes(parsed.origin) ? { ok: true, browser: true } : { ok: false, origin };
  const own = serverOrigin(req);
  return own !== null && parsed.origin === own ? { ok: true, browser: true } : { ok: false, origin };
}

/** The origin the client reached us at: the scheme from TLS or X-Forwarded-Proto, the (forwarded) Host. */
export function serverOrigin(req: IncomingMessage): string | null {
  const host = firstValue(req.headers['x-forwarded-host']) ?? req.headers.host;
  if (host === undefined) return null;
  const proto = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase();
  const scheme = proto === 'https' || proto === 'http' ? proto : (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
  try {
    // URL normalises case and drops a default port (https://a:443 is https://a), as a browser's Origin does.
    const url = new URL(`${scheme}://${host}`);
    return url.host === host.toLowerCase() || url.host === host.toLowerCase().replace(/:(80|443)$/, '') ? url.origin : null;
  } catch {
    return null;
  }
}

function firstValue(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v?.split(',')[0]?.trim() || undefined;
}

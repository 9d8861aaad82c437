import type { IncomingMessage } from 'node:http';

// Step 2 of an upgrade. Browsers always send Origin on a WebSocket handshake, so its absence means a
// non-browser client (which cannot be driven by another site). With an Origin it must be allowed: the
// configured list, or by default the origin the server was reached at.

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
  const host = firstValue(req.headers['x-forwarded-host']) ?? req.headers.host;
  return host !== undefined && parsed.host === host.toLowerCase() ? { ok: true, browser: true } : { ok: false, origin };
}

function firstValue(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v?.split(',')[0]?.trim() || undefined;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { API_CSP } from './content-security-policy';

// Headers every HTTP answer carries (issue 10, point 10). server.ts sets them before anything answers;
// for pages, proxy.ts then replaces the Content-Security-Policy with the page policy and its nonce.

/** A year, the value HSTS preload lists ask for. */
const HSTS = 'max-age=31536000; includeSubDomains';

/** Served over https: a TLS socket here, or a TLS-terminating proxy in front that says so. */
export function servedOverHttps(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', API_CSP);
  // Over plain http, HSTS is ignored by browsers at best and locks a mis-set host out at worst.
  if (servedOverHttps(req)) res.setHeader('Strict-Transport-Security', HSTS);
}

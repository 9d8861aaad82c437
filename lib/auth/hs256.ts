import { createHmac, timingSafeEqual } from 'node:crypto';

// Verifying an HS256 compact JWS without leaving the thread. jose verifies through WebCrypto, which Node
// runs on its thread pool: a hop there and back, and a promise, on every check (a socket ticket is new on
// every upgrade, so no memo helps it). An HMAC-SHA-256 over a few hundred bytes is a few µs done here.
// jose still signs; this checks exactly what jose's jwtVerify was asked to check, and is stricter where it
// can be (a `crit` header is refused outright; the signature must be the one canonical encoding).

export type Hs256Problem = 'malformed' | 'invalid' | 'expired';
export type Hs256Result = { ok: true; payload: Record<string, unknown> } | { ok: false; problem: Hs256Problem };

export type Hs256Expect = { issuer: string; audience: string; requiredClaims: readonly string[] };

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Checks structure, `alg`, the signature, then the claims (iss, aud, exp, nbf, iat types, required ones), in jose's order. */
export function verifyHs256(token: string, key: Uint8Array, expect: Hs256Expect, nowS = Math.floor(Date.now() / 1000)): Hs256Result {
  if (token.length > 4096 || !COMPACT.test(token)) return { ok: false, problem: 'malformed' };
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  const header = parseObject(token.slice(0, dot1));
  if (!header) return { ok: false, problem: 'malformed' };
  if (header.alg !== 'HS256' || header.crit !== undefined) return { ok: false, problem: 'invalid' };
  const expected = createHmac('sha256', key).update(token.slice(0, dot2)).digest('base64url');
  const given = token.slice(dot2 + 1);
  // Compared as the encoded text: base64url decoding forgives stray trailing bits, the text does not.
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return { ok: false, problem: 'invalid' };
  const payload = parseObject(token.slice(dot1 + 1, dot2));
  if (!payload) return { ok: false, problem: 'malformed' };
  for (const claim of expect.requiredClaims) if (payload[claim] === undefined) return { ok: false, problem: 'invalid' };
  if (payload.iss !== expect.issuer) return { ok: false, problem: 'invalid' };
  const aud = payload.aud;
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) return { ok: false, problem: 'invalid' };
  if (payload.iat !== undefined && !isNumericDate(payload.iat)) return { ok: false, problem: 'invalid' };
  if (payload.nbf !== undefined && (!isNumericDate(payload.nbf) || payload.nbf > nowS)) return { ok: false, problem: 'invalid' };
  if (payload.exp !== undefined) {
    if (!isNumericDate(payload.exp)) return { ok: false, problem: 'invalid' };
    if (payload.exp <= nowS) return { ok: false, problem: 'expired' };
  }
  return { ok: true, payload };
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parseObject(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

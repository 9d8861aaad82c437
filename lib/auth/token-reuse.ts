// Minting a token is an HS256 signature through WebCrypto: a hop to the thread pool and back on every
// upgrade (bench/). A token the gateway mints for a grant it has already authorised (one user, one
// project or session, one operation) may open several sockets, so the same grant shares one token for
// half its life instead; sharing it hands nothing to anyone new. At most `max` grants are remembered (the
// oldest goes first), and a failed signature is not remembered at all.

export function reuseTokens(ttlS: number, max = 4096): (grantKey: string, sign: () => Promise<string>) => Promise<string> {
  const reuse = reuseTokensNow(ttlS, max);
  return async (grantKey, sign) => reuse(grantKey, sign);
}

/** The same, answering with the token itself (no promise) once it is signed: the upgrade path's. */
export function reuseTokensNow(ttlS: number, max = 4096): (grantKey: string, sign: () => Promise<string>) => string | Promise<string> {
  const recent = new Map<string, { token: Promise<string>; signed?: string; reuseUntil: number }>();
  return (grantKey, sign) => {
    const now = Date.now();
    const hit = recent.get(grantKey);
    if (hit && hit.reuseUntil > now) return hit.signed ?? hit.token;
    const token = sign();
    const entry: { token: Promise<string>; signed?: string; reuseUntil: number } = { token, reuseUntil: now + (ttlS * 1000) / 2 };
    if (recent.size >= max) recent.delete(recent.keys().next().value!);
    recent.set(grantKey, entry);
    token.then(
      (t) => void (entry.signed = t),
      () => recent.delete(grantKey),
    );
    return token;
  };
}

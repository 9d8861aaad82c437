// Socket URLs are always built from the page's own location at the moment of connecting: nothing about
// them is baked in at build time, so the same build works on any host, behind any proxy, http or https.
// The only credential a browser ever puts in one is a single-use socket ticket (design.md "Socket tickets").

export function socketUrl(path: string, query: Record<string, string | number | undefined>, ticket: string | null, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  if (ticket) params.set('ticket', ticket);
  const qs = params.toString();
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${path}${qs ? `?${qs}` : ''}`;
}

/** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s … capped at 15 s, each drawn at random below. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(15_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(cap / 2 + random() * (cap / 2));
}

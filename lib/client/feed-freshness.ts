import type { SocketState } from './use-socket';

// Whether figures that arrive over a live feed (the status page's `system` topic, a sample every 2 s)
// may be shown as current. They may not once the socket is down, nor when it claims to be up but nothing
// has come for a while (a network that dropped without a close frame, a server that stopped sampling):
// then the page must say so at once rather than keep showing the last figures as if they were now.

/** Samples come every 2 s (lib/hub/system-stats.ts): two missed in a row and a bit is not jitter. */
export const STALE_AFTER_MS = 5000;

export type Freshness = 'waiting' | 'live' | 'stale';

export function feedFreshness({
  socket,
  lastReceivedAt,
  now,
  staleAfterMs = STALE_AFTER_MS,
}: {
  socket: SocketState;
  /** When (this clock) the newest sample arrived; null before the first. */
  lastReceivedAt: number | null;
  now: number;
  staleAfterMs?: number;
}): Freshness {
  if (lastReceivedAt === null) return socket === 'reconnecting' ? 'stale' : 'waiting';
  if (socket !== 'live') return 'stale';
  return now - lastReceivedAt > staleAfterMs ? 'stale' : 'live';
}

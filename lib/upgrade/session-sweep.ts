import { CLOSE } from '../errors/close-codes';
import type { SessionGuard, SessionState } from '../auth/session-guard';
import type { Logger } from '../observability/logger';
import type { SocketRegistry } from './socket-registry';

// A socket already open outlives neither its sign-in's revocation nor its expiry (issue 10 point 6):
// a revocation made in this process closes that session's sockets at once; every `everyMs` the sweep asks
// the guard (whose answers are at most SESSION_CACHE_MS old) about each open socket's session, which
// catches expiry and revocations made by another process. Closed with 4401 and a reason that says which.

export function startSessionSweep(deps: { registry: SocketRegistry; guard: SessionGuard; logger: Logger; everyMs?: number }) {
  const { registry, guard, logger } = deps;

  function closeSessions(ids: Set<string>, reason: string) {
    if (!ids.size) return;
    void registry.closeWhere((s) => s.sessionId !== undefined && ids.has(s.sessionId), CLOSE.UNAUTHORIZED, reason).then((n) => {
      if (n) logger.info({ event: 'sockets_signed_out', sockets: n, reason }, 'closed sockets of ended sign-ins');
    });
  }

  const stopListening = guard.onRevoke((ids) => closeSessions(new Set(ids), 'session revoked'));

  const timer = setInterval(() => {
    const expired = new Set<string>();
    const revoked = new Set<string>();
    const seen = new Set<string>();
    const asked: Promise<void>[] = [];
    const note = (sessionId: string, state: SessionState) => {
      if (!state.ok) (state.reason === 'expired' ? expired : revoked).add(sessionId);
    };
    for (const s of registry.list()) {
      if (!s.sessionId || !s.userId || seen.has(s.sessionId)) continue;
      seen.add(s.sessionId);
      // Not activity: an open socket alone does not keep a sign-in alive.
      let state;
      try {
        state = guard.check(s.sessionId, s.userId, false);
      } catch {
        return; // the store is closing (shutdown closes every socket anyway)
      }
      const sessionId = s.sessionId;
      // On Postgres the answer is a round trip; a store that cannot answer closes nothing (an outage is
      // not a sign-out), and the next sweep asks again.
      if (state instanceof Promise) asked.push(state.then((st) => note(sessionId, st), () => undefined));
      else note(sessionId, state);
    }
    const close = () => {
      closeSessions(expired, 'session expired');
      closeSessions(revoked, 'session revoked');
    };
    if (asked.length) void Promise.all(asked).then(close);
    else close();
  }, deps.everyMs ?? 1000);
  timer.unref();

  return {
    close() {
      clearInterval(timer);
      stopListening();
    },
  };
}

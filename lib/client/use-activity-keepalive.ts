'use client';

import { useEffect } from 'react';

// A sign-in expires after TOKEN_TTL_S without use (a server-side session), and an open socket alone does
// not count as use: a forgotten tab must not keep a session alive forever (its sockets answer pings by
// themselves). A person at the keyboard does count — typing into a VM terminal or reading a build log
// makes no API request for hours — so real input (keys, pointer, wheel, touch) on this document is
// reported as a signed-in request at most once per `everyMs`, which slides the session forward.

export const ACTIVITY_EVERY_MS = 60_000;
const EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

/** Whether input now should be reported, given when activity was last reported. */
export function shouldReport(lastReportedAt: number, now: number, everyMs = ACTIVITY_EVERY_MS): boolean {
  return now - lastReportedAt >= everyMs;
}

export function useActivityKeepalive(everyMs = ACTIVITY_EVERY_MS): void {
  useEffect(() => {
    let last = Date.now();
    const onInput = () => {
      const now = Date.now();
      if (!shouldReport(last, now, everyMs)) return;
      last = now;
      // Any signed-in request slides the session; this one is the cheapest. A failure says nothing new:
      // a sign-in that ended closes the page's sockets with 4401, which the page already shows.
      void fetch('/api/auth/me', { credentials: 'same-origin', cache: 'no-store' }).catch(() => undefined);
    };
    for (const e of EVENTS) window.addEventListener(e, onInput, { capture: true, passive: true });
    return () => {
      for (const e of EVENTS) window.removeEventListener(e, onInput, { capture: true });
    };
  }, [everyMs]);
}

'use client';

import { Info, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { PublicSession } from '@/lib/protocol/api';
import { apiRequest } from '@/lib/client/api';
import { endedSentence } from '@/lib/client/desktop-sentence';

// "This is a new desktop": a session's desktop is re-created when the server restarts or a stopped VM is
// started again, and whatever ran in the old one is gone. Each time the viewer connects it reads when the
// session's current desktop started; when that is not the desktop this browser last showed for the
// session, it says so, with the time the previous one ended (the browser's local time).

const key = (sessionId: string) => `portico:desktop:${sessionId}`;

type Seen = { desktop: number; notice: string | null };

function readSeen(sessionId: string): Seen | null {
  try {
    const v = JSON.parse(localStorage.getItem(key(sessionId)) ?? 'null') as Seen | null;
    return typeof v?.desktop === 'number' ? v : null;
  } catch {
    return null;
  }
}

function writeSeen(sessionId: string, seen: Seen): void {
  try {
    localStorage.setItem(key(sessionId), JSON.stringify(seen));
  } catch {
    // Storage refused (private mode): the notice is then said for this page only.
  }
}

/** Shown by the viewer while `live`; reads the session once per connection. */
export function DesktopNotice({ sessionId, live }: { sessionId: string; live: boolean }) {
  const [sentence, setSentence] = useState<string | null>(null);

  useEffect(() => {
    if (!live) return;
    const ctrl = new AbortController();
    apiRequest<PublicSession>(`/api/sessions/${encodeURIComponent(sessionId)}`, { signal: ctrl.signal }).then(
      (s) => {
        const started = s.desktopStartedAt;
        if (!started) return;
        const seen = readSeen(sessionId);
        // Said until dismissed: the page may reload the frame (it does when it learns of the new desktop).
        if (seen?.desktop === started) return setSentence(seen.notice);
        const ended = s.desktopEndedAt && s.desktopEndedAt <= started ? s.desktopEndedAt : null;
        const notice = seen ? endedSentence(ended) : null;
        writeSeen(sessionId, { desktop: started, notice });
        setSentence(notice);
      },
      // Someone who may watch but not read the session (a share), or the server is away: no notice.
      () => undefined,
    );
    return () => ctrl.abort();
  }, [sessionId, live]);

  function dismiss() {
    const seen = readSeen(sessionId);
    if (seen) writeSeen(sessionId, { ...seen, notice: null });
    setSentence(null);
  }

  if (!sentence) return null;
  return (
    <div role="status" data-testid="desktop-notice" className="flex shrink-0 items-center gap-2 border-b border-amber-300/60 bg-amber-50 px-3 py-1.5 text-xs text-amber-900 dark:border-amber-500/30 dark:bg-amber-950/60 dark:text-amber-100">
      <Info aria-hidden className="size-3.5 shrink-0" />
      <span className="min-w-0 flex-1">{sentence} Programs that ran in it were not kept; files in the home were.</span>
      <button type="button" onClick={dismiss} aria-label="Dismiss the notice" className="grid size-6 shrink-0 place-items-center rounded hover:bg-amber-100 dark:hover:bg-amber-900">
        <X aria-hidden className="size-3.5" />
      </button>
    </div>
  );
}

'use client';

import { RotateCw } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { loginHref } from '@/lib/client/next-path';
import { useVnc } from '@/lib/client/use-vnc';
import { useVncKeys } from '@/lib/client/vnc-keys-control';
import { useVncTouch } from '@/lib/client/vnc-touch';
import { Button } from './button';
import { ConnectionBadge } from './connection-badge';
import { ErrorSentence } from './error-sentence';
import { useActivityKeepalive } from '@/lib/client/use-activity-keepalive';
import { VncClipboard } from './vnc-clipboard';
import { VncExtraKeys, VncKeysButtons } from './vnc-extra-keys';
import { VncZoomBadge } from './vnc-zoom-badge';

/** What the viewer tells the page that frames it (the session page), so that page can refresh the session. */
export type VncFrameMessage = { type: 'portico:vnc'; sessionId: string; state: string };

// The noVNC viewer alone: what /vnc/<id> shows and the session page frames. Fills its window: a toolbar,
// then the desktop scaled to fit below it.
export function VncViewer({ sessionId }: { sessionId: string }) {
  const screen = useRef<HTMLDivElement>(null);
  // Typing into the desktop is using the dashboard: it keeps the sign-in alive (the frame's input never
  // reaches the framing page).
  useActivityKeepalive();
  const { state, problem, desktopName, rfb, reconnect } = useVnc(sessionId, screen);
  const connected = state === 'live';
  const keys = useVncKeys(rfb, connected, screen);
  const touch = useVncTouch(screen, rfb, connected);

  // Every change of state, and every close while retrying, so the framing page re-reads the session.
  useEffect(() => {
    if (window.parent === window) return;
    const message: VncFrameMessage = { type: 'portico:vnc', sessionId, state };
    window.parent.postMessage(message, window.location.origin);
  }, [sessionId, state, problem]);

  return (
    <div className="flex h-dvh flex-col bg-canvas text-ink">
      <div role="toolbar" aria-label="Viewer" className="flex h-11 shrink-0 items-center gap-2 border-b border-line bg-surface px-3">
        <ConnectionBadge state={state} label="Desktop" />
        <span className="min-w-0 flex-1 truncate text-xs text-muted" data-testid="desktop-name">
          {desktopName ?? ''}
        </span>
        <VncClipboard rfb={rfb} live={connected} />
        <VncKeysButtons keys={keys} />
      </div>
      <VncExtraKeys keys={keys} />
      <div className="relative min-h-0 flex-1 bg-zinc-900">
        {/* noVNC puts its own screen element in here and scales the canvas to this box. */}
        <div ref={screen} data-testid="vnc-screen" className="absolute inset-0" />
        <VncZoomBadge touch={touch} />
        {problem ? (
          <div className="absolute inset-0 grid place-items-center bg-zinc-900 p-6">
            <div className="w-full max-w-sm space-y-3 text-center">
              <ErrorSentence className="text-left">{problem.sentence}</ErrorSentence>
              {problem.code === 4401 ? (
                <a href={loginHref(`/sessions/${sessionId}`)} target="_top" className="inline-flex text-sm font-medium text-sky-300 hover:underline">
                  Sign in again
                </a>
              ) : null}
              {problem.final && problem.code !== 4401 && problem.code !== 4403 && problem.code !== 4404 ? (
                <Button variant="secondary" onClick={reconnect}>
                  <RotateCw aria-hidden className="size-4" />
                  Try again
                </Button>
              ) : null}
            </div>
          </div>
        ) : state !== 'live' ? (
          <p role="status" className="absolute inset-0 grid animate-appear place-items-center text-sm text-zinc-400">
            Connecting to the desktop…
          </p>
        ) : null}
      </div>
    </div>
  );
}

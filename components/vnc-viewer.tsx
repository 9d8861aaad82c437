'use client';

import { ClipboardPaste, Keyboard, RotateCw } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { keysymsFor, PASTE_MAX_CHARS } from '@/lib/client/keysyms';
import { loginHref } from '@/lib/client/next-path';
import { useVnc } from '@/lib/client/use-vnc';
import { Button } from './button';
import { ConnectionBadge } from './connection-badge';
import { DesktopNotice } from './desktop-notice';
import { ErrorSentence } from './error-sentence';
import { useActivityKeepalive } from '@/lib/client/use-activity-keepalive';

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
  const [pasting, setPasting] = useState<{ hint: string | null } | null>(null);

  // Every change of state, and every close while retrying, so the framing page re-reads the session.
  useEffect(() => {
    if (window.parent === window) return;
    const message: VncFrameMessage = { type: 'portico:vnc', sessionId, state };
    window.parent.postMessage(message, window.location.origin);
  }, [sessionId, state, problem]);

  function typeText(text: string) {
    const r = rfb();
    if (!r) return;
    for (const keysym of keysymsFor(text.slice(0, PASTE_MAX_CHARS))) r.sendKey(keysym, null);
    r.focus({ preventScroll: true });
  }

  async function paste() {
    // Reading the clipboard needs the page's permission (and, in a frame, the frame's `allow`): when the
    // browser says no, a text box takes the text instead.
    try {
      const text = await navigator.clipboard.readText();
      if (text) return typeText(text);
      setPasting({ hint: 'The clipboard is empty. Type or paste the text here.' });
    } catch {
      setPasting({ hint: null });
    }
  }

  const connected = state === 'live';
  return (
    <div className="flex h-dvh flex-col bg-canvas text-ink">
      <div role="toolbar" aria-label="Viewer" className="flex h-11 shrink-0 items-center gap-2 border-b border-line bg-surface px-3">
        <ConnectionBadge state={state} label="Desktop" />
        <span className="min-w-0 flex-1 truncate text-xs text-muted" data-testid="desktop-name">
          {desktopName ?? ''}
        </span>
        <ToolbarButton onClick={() => void paste()} disabled={!connected} title="Type the clipboard's text into the desktop">
          <ClipboardPaste aria-hidden className="size-3.5" />
          Paste
        </ToolbarButton>
        <ToolbarButton onClick={() => rfb()?.sendCtrlAltDel()} disabled={!connected}>
          <Keyboard aria-hidden className="size-3.5" />
          Send Ctrl-Alt-Del
        </ToolbarButton>
      </div>
      <DesktopNotice sessionId={sessionId} live={connected} />
      {pasting && connected ? (
        <PasteForm
          hint={pasting.hint}
          onType={(text) => {
            setPasting(null);
            typeText(text);
          }}
          onCancel={() => {
            setPasting(null);
            rfb()?.focus({ preventScroll: true });
          }}
        />
      ) : null}
      <div className="relative min-h-0 flex-1 bg-zinc-900">
        {/* noVNC puts its own screen element in here and scales the canvas to this box. */}
        <div ref={screen} data-testid="vnc-screen" className="absolute inset-0" />
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

function ToolbarButton({ children, ...props }: { children: ReactNode; onClick: () => void; disabled: boolean; title?: string }) {
  return (
    <button
      type="button"
      className="inline-flex h-7 items-center gap-1.5 rounded-md border border-line-strong bg-surface px-2.5 text-xs font-medium whitespace-nowrap text-ink shadow-xs transition-colors hover:bg-sunken disabled:cursor-not-allowed disabled:opacity-50"
      {...props}
    >
      {children}
    </button>
  );
}

function PasteForm({ hint, onType, onCancel }: { hint: string | null; onType: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (text) onType(text);
  }

  return (
    <form aria-label="Paste text" onSubmit={submit} className="shrink-0 space-y-2 border-b border-line bg-surface px-3 py-3">
      <label htmlFor="paste-text" className="block text-xs text-muted">
        {hint ?? 'The browser did not let this page read the clipboard. Paste the text here (Ctrl+V) and it is typed into the desktop.'}
      </label>
      <textarea
        ref={box}
        id="paste-text"
        rows={3}
        maxLength={PASTE_MAX_CHARS}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
        className="block w-full resize-y rounded-md border border-line-strong bg-surface px-2.5 py-2 font-mono text-sm text-ink focus-visible:border-accent focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-accent/40"
      />
      <div className="flex gap-2">
        <ToolbarButton onClick={() => text && onType(text)} disabled={!text}>
          Type it
        </ToolbarButton>
        <ToolbarButton onClick={onCancel} disabled={false}>
          Cancel
        </ToolbarButton>
      </div>
    </form>
  );
}

'use client';

import { ClipboardList, ClipboardPaste, Eye, Keyboard, Maximize, Minimize, RotateCw, Rows3 } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useVncClipboard } from '@/lib/client/vnc-clipboard';
import { useVncKeys } from '@/lib/client/vnc-keys-control';
import { useVncTouch } from '@/lib/client/vnc-touch';
import { loginHref } from '@/lib/client/next-path';
import { DESKTOP_HINT_ID, useVnc } from '@/lib/client/use-vnc';
import { useDesktopFocus } from '@/lib/client/use-desktop-focus';
import { useFullscreen } from '@/lib/client/use-fullscreen';
import { LEAVE_DESKTOP_HINT } from '@/lib/client/vnc-focus';
import { useViewerPreferences } from '@/lib/client/vnc-preferences';
import { Button } from './button';
import { ConnectionBadge } from './connection-badge';
import { DesktopNotice } from './desktop-notice';
import { ErrorSentence } from './error-sentence';
import { VncDisplaySettings } from './vnc-display-settings';
import { VncToolbar, type ToolbarItem } from './vnc-toolbar';
import { VncClipboardPanel } from './vnc-clipboard';
import { VncExtraKeys } from './vnc-extra-keys';
import { VncZoomBadge } from './vnc-zoom-badge';
import { useActivityKeepalive } from '@/lib/client/use-activity-keepalive';

/** What the viewer tells the page that frames it (the session page), so that page can refresh the session. */
export type VncFrameMessage = { type: 'portico:vnc'; sessionId: string; state: string };

/** Said on the locked view-only control (a share that lets its viewer watch, not work). */
export const VIEW_ONLY_LOCKED_SENTENCE = 'This link lets you watch, not type.';

// The noVNC viewer alone: what /vnc/<id> shows and the session page frames. Fills its window: a toolbar,
// the desktop below it, and a line under the desktop that says where the keys go and how to get out.
export function VncViewer({ sessionId, viewOnlyLocked = false }: { sessionId: string; viewOnlyLocked?: boolean }) {
  const root = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const toolbar = useRef<HTMLDivElement>(null);
  // Typing into the desktop is using the dashboard: it keeps the sign-in alive (the frame's input never
  // reaches the framing page).
  useActivityKeepalive();
  const { prefs, save, change } = useViewerPreferences();
  const [viewOnlyChosen, setViewOnly] = useState(false);
  const viewOnly = viewOnlyLocked || viewOnlyChosen;
  const { state, problem, desktopName, rfb, reconnect, resizeNote } = useVnc(sessionId, screen, { ...prefs, viewOnly });
  const connected = state === 'live';
  const clip = useVncClipboard(rfb, connected);
  const keys = useVncKeys(rfb, connected && !viewOnly, screen);
  const touch = useVncTouch(screen, rfb, connected);
  // A pinch zoom belongs to the scaling it was made in.
  const { reset: resetZoom } = touch;
  useEffect(() => resetZoom(), [prefs.scaling, resetZoom]);
  const fullscreen = useFullscreen(root);
  // The way out of the desktop lands on the toolbar's first control, where Tab and the arrows go on.
  const leaveDesktop = useCallback(() => [...(toolbar.current?.querySelectorAll('button') ?? [])].find((b) => b.checkVisibility())?.focus(), []);
  const desktopFocused = useDesktopFocus(screen, rfb, leaveDesktop);

  // Every change of state, and every close while retrying, so the framing page re-reads the session.
  useEffect(() => {
    if (window.parent === window) return;
    const message: VncFrameMessage = { type: 'portico:vnc', sessionId, state };
    window.parent.postMessage(message, window.location.origin);
  }, [sessionId, state, problem]);

  const offline = connected ? undefined : 'The desktop is not connected.';
  const typing = viewOnly ? 'View only is on.' : offline;
  // The toolbar's controls, in order; one line each (the toolbar folds them into a menu on narrow screens).
  const items: ToolbarItem[] = [
    {
      id: 'fullscreen',
      label: fullscreen.active ? 'Exit fullscreen' : 'Fullscreen',
      icon: fullscreen.active ? Minimize : Maximize,
      onSelect: fullscreen.toggle,
      pressed: fullscreen.active,
      disabled: !fullscreen.available,
      why: 'This page may not go fullscreen here.',
    },
    {
      id: 'view-only',
      label: 'View only',
      icon: Eye,
      onSelect: () => setViewOnly((v) => !v),
      pressed: viewOnly,
      disabled: viewOnlyLocked,
      why: VIEW_ONLY_LOCKED_SENTENCE,
      title: viewOnly ? 'View only: keys and pointer stay here. Select to control the desktop again.' : 'View only: watch without sending keys or pointer',
    },
    { id: 'paste', label: 'Paste into the desktop', text: 'Paste', icon: ClipboardPaste, onSelect: () => void clip.paste(), disabled: !connected || viewOnly, why: typing, title: "The browser's clipboard becomes the desktop's" },
    { id: 'clipboard', label: 'Clipboard', icon: ClipboardList, onSelect: () => (clip.panel ? clip.close() : clip.open()), pressed: clip.panel !== null, disabled: !connected, why: offline, title: 'What the desktop copied, and text to send or type into it' },
    { id: 'keys', label: keys.barOpen ? 'Hide extra keys' : 'Show extra keys', text: 'Keys', icon: Rows3, onSelect: () => keys.setBarOpen(!keys.barOpen), pressed: keys.barOpen, keepFocus: true },
    { id: 'keyboard', label: 'On-screen keyboard', text: 'Keyboard', icon: Keyboard, onSelect: keys.toggleKeyboard, pressed: keys.keyboardOpen, disabled: !connected || viewOnly, why: typing, keepFocus: true, pinned: true },
  ];

  return (
    <div ref={root} className="flex h-dvh flex-col bg-canvas text-ink">
      <VncToolbar
        toolbarRef={toolbar}
        status={
          <>
            <ConnectionBadge state={state} label="Desktop" />
            {viewOnlyLocked ? (
              <span data-testid="view-only-locked" className="text-xs font-medium whitespace-nowrap text-muted">
                View only
              </span>
            ) : null}
          </>
        }
        name={desktopName}
        items={items}
        extra={<VncDisplaySettings prefs={prefs} save={save} onChange={change} />}
      />
      <DesktopNotice sessionId={sessionId} live={connected} />
      <VncClipboardPanel clip={clip} live={connected} />
      <VncExtraKeys keys={keys} />
      <div className="relative min-h-0 flex-1 bg-zinc-900" data-focused={desktopFocused}>
        {/* noVNC puts its own screen element in here and scales the canvas to this box. */}
        <div ref={screen} data-testid="vnc-screen" className="absolute inset-0" />
        <VncZoomBadge touch={touch} />
        {/* Drawn over the canvas (which fills the box), so the ring shows whatever the desktop's size. */}
        {desktopFocused ? <div aria-hidden className="pointer-events-none absolute inset-0 ring-2 ring-accent ring-inset" /> : null}
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
      <DesktopHint focused={desktopFocused} viewOnly={viewOnly ? (viewOnlyLocked ? 'locked' : 'chosen') : null} note={resizeNote ?? fullscreen.problem} />
    </div>
  );
}

/** The line under the desktop: where the keys go now and how to get out (design: focus and keys). */
function DesktopHint({ focused, viewOnly, note }: { focused: boolean; viewOnly: 'chosen' | 'locked' | null; note: string | null }) {
  // A finger has no Tab key and no chord to learn: on a touch screen the line says what touch does.
  const [touch, setTouch] = useState(false);
  useEffect(() => setTouch(window.matchMedia('(pointer: coarse)').matches), []);
  const where =
    viewOnly === 'locked'
      ? `View only: ${VIEW_ONLY_LOCKED_SENTENCE}`
      : viewOnly
        ? 'View only: your keys and pointer do not reach the desktop.'
        : focused
          ? `Keys go to the desktop. ${LEAVE_DESKTOP_HINT}.`
          : touch
            ? 'Tap the desktop to click, pinch to zoom; Keyboard types into it, and the keys bar sends Ctrl, Esc and the rest.'
            : `Click the desktop or Tab to it to type. ${LEAVE_DESKTOP_HINT}.`;
  return (
    <div className="flex min-h-7 shrink-0 flex-wrap items-center gap-x-3 border-t border-line bg-surface px-3 py-1 text-xs text-muted">
      <p id={DESKTOP_HINT_ID} data-testid="desktop-hint" className={focused && !viewOnly ? 'font-medium text-ink' : ''}>
        {where}
      </p>
      <p role="status" data-testid="viewer-note" className="text-amber-700 dark:text-amber-300">
        {note ?? ''}
      </p>
    </div>
  );
}

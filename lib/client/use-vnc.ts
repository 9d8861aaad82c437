'use client';

import type RFB from '@novnc/novnc';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { afterClose } from './close-sentence';
import { socketTicket } from './socket-ticket';
import { backoffMs, socketUrl } from './socket-url';
import type { SocketProblem, SocketState } from './use-socket';
import type { ViewerPreferences } from '../protocol/preferences';

// The VNC viewer's socket: noVNC's RFB on `/api/sessions/<id>/vnc`, with the same states, sentences and
// backoff as useSocket. It is a hook of its own because RFB speaks binary RFB, not JSON, and owns the
// canvas it draws into.
//
// noVNC does not tell its user how the socket closed (its `disconnect` event only has `clean`), and the
// close code is what says *why* (1014: the VM is unreachable, 4403: not yours). So the hook opens the
// WebSocket itself and hands the open-in-progress socket to RFB, which accepts a channel instead of a URL.
// Our `close` listener is added before RFB sets `onclose`, so it runs first and decides what happens next.

/** Said when noVNC gave up on its own (a protocol or security failure) while the socket itself was fine. */
export const VIEWER_FAILED_SENTENCE = 'The desktop could not be shown. Reload to try again.';

/** What the user chose for this viewer; applied to the live RFB as it changes, without reconnecting. */
export type VncSettings = ViewerPreferences & { viewOnly: boolean };

/** The element next to the desktop that says how to leave it (the canvas points at it). */
export const DESKTOP_HINT_ID = 'vnc-desktop-hint';

/** How long the desktop may take to follow a new window size before the viewer says it did not. */
export const RESIZE_SETTLE_MS = 2500;

export type VncViewer = {
  state: SocketState;
  problem: SocketProblem | null;
  /** The desktop's own name, once connected. */
  desktopName: string | null;
  /** The RFB of the live connection, or null; do not keep it past a render. */
  rfb(): RFB | null;
  /** Connects again now (after "Try again"). */
  reconnect(): void;
  /** Set while remote resize is chosen but the VM's desktop kept its own size: why, in a sentence. */
  resizeNote: string | null;
};

/**
 * noVNC's three properties for the three modes. Remote resize keeps scaling on: while the VM follows the
 * window the scale is 1, and when the server refuses (or cannot) resize, the desktop still fits.
 */
export function applySettings(rfb: RFB, s: VncSettings): void {
  rfb.viewOnly = s.viewOnly;
  rfb.qualityLevel = s.quality;
  rfb.compressionLevel = s.compression;
  rfb.clipViewport = false;
  rfb.scaleViewport = s.scaling !== 'actual';
  rfb.resizeSession = s.scaling === 'remote';
}

type Size = { w: number; h: number };

/**
 * What the viewer says when remote resize is chosen: nothing while the VM's desktop (the framebuffer) has
 * the window's size (noVNC asks for whole pixels), else why it kept its own.
 */
export function resizeNoteFor(desktop: Size, window: Size, viewOnly: boolean): string | null {
  if (desktop.w === Math.floor(window.w) && desktop.h === Math.floor(window.h)) return null;
  const size = `${desktop.w}×${desktop.h}`;
  return viewOnly
    ? `View only does not resize the VM's desktop: it keeps ${size} and is fit to the window.`
    : `The VM did not take the window's size (it keeps ${size}), so its desktop is fit to the window.`;
}

export function useVnc(sessionId: string, screen: RefObject<HTMLElement | null>, settings: VncSettings): VncViewer {
  const [state, setState] = useState<SocketState>('connecting');
  const [problem, setProblem] = useState<SocketProblem | null>(null);
  const [desktopName, setDesktopName] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const live = useRef<RFB | null>(null);
  const [resizeNote, setResizeNote] = useState<string | null>(null);
  // Read when an RFB is made, so a reconnect keeps what the user chose without being one of its causes.
  const chosen = useRef(settings);
  chosen.current = settings;

  useEffect(() => {
    const target = screen.current;
    if (!target) return;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: RFB | null = null;

    const connect = async () => {
      // noVNC touches `window` when its module loads, so it is only ever imported here, in the browser.
      const { default: Rfb } = await import('@novnc/novnc');
      if (stopped) return;
      setState(attempt === 0 ? 'connecting' : 'reconnecting');

      // A fresh single-use ticket for every attempt; a refusal reads like the upgrade's close code.
      const path = `/api/sessions/${encodeURIComponent(sessionId)}/vnc`;
      const ticket = await socketTicket(path);
      if (stopped) return;
      if (!ticket.ok) {
        const next = afterClose({ code: ticket.code });
        setProblem(next.problem);
        setState(next.state);
        if (next.retry) timer = setTimeout(() => void connect(), backoffMs(attempt++));
        return;
      }
      const ws = new WebSocket(socketUrl(path, {}, ticket.ticket), ['binary']);
      let failedOnItsOwn = false;
      ws.addEventListener('close', (event) => {
        if (stopped) return;
        if (live.current === rfb) live.current = null;
        const next = afterClose(event);
        if (next.problem === null && failedOnItsOwn) {
          setState('offline');
          setProblem({ code: event.code, sentence: VIEWER_FAILED_SENTENCE, final: true });
          return;
        }
        setProblem(next.problem);
        setState(next.state);
        if (next.retry) timer = setTimeout(() => void connect(), backoffMs(attempt++));
      });

      const rfb = new Rfb(target, ws, { shared: true, wsProtocols: ['binary'] });
      current = rfb;
      applySettings(rfb, chosen.current);
      rfb.background = 'transparent';
      labelDesktop(target);
      rfb.addEventListener('connect', () => {
        attempt = 0;
        live.current = rfb;
        setProblem(null);
        setState('live');
      });
      rfb.addEventListener('desktopname', (e) => setDesktopName(e.detail.name));
      rfb.addEventListener('disconnect', (e) => {
        if (live.current === rfb) live.current = null;
        // Unclean while the socket is still up: noVNC failed by itself and is closing the socket now,
        // without a code. The close listener above has not run yet in that case; tell it why.
        if (!e.detail.clean && ws.readyState !== WebSocket.CLOSED) failedOnItsOwn = true;
      });
    };

    void connect().catch(() => {
      if (stopped) return;
      setState('offline');
      setProblem({ code: 0, sentence: VIEWER_FAILED_SENTENCE, final: true });
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      live.current = null;
      current?.disconnect();
    };
  }, [sessionId, screen, generation]);

  // Every change of a setting goes to the live RFB as it is: noVNC sends new encodings or a desktop size
  // on the same socket.
  const { scaling, quality, compression, viewOnly } = settings;
  useEffect(() => {
    if (live.current) applySettings(live.current, { scaling, quality, compression, viewOnly });
  }, [scaling, quality, compression, viewOnly, state]);

  // noVNC does not tell when the server refuses a resize (it only logs the ExtendedDesktopSize status),
  // so the viewer looks: once the window has kept its size for RESIZE_SETTLE_MS, the canvas (the VM's
  // framebuffer) should have the screen's size. When it has not, the VM kept its own and the desktop is
  // shown fit to the window instead (applySettings keeps scaling on).
  useEffect(() => {
    const target = screen.current;
    if (!target || scaling !== 'remote' || state !== 'live') {
      setResizeNote(null);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sizes = () => {
      const canvas = target.querySelector('canvas');
      const box = target.getBoundingClientRect();
      return canvas ? { desktop: { w: canvas.width, h: canvas.height }, window: { w: box.width, h: box.height } } : null;
    };
    const follows = () => {
      const now = sizes();
      return !!now && resizeNoteFor(now.desktop, now.window, viewOnly) === null;
    };
    const check = () => {
      const now = sizes();
      setResizeNote(now && resizeNoteFor(now.desktop, now.window, viewOnly));
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(check, RESIZE_SETTLE_MS);
    };
    const sized = new ResizeObserver(later);
    sized.observe(target);
    // The framebuffer taking the new size clears the note at once.
    const canvas = target.querySelector('canvas');
    const redrawn = new MutationObserver(() => follows() && setResizeNote(null));
    if (canvas) redrawn.observe(canvas, { attributes: true, attributeFilter: ['width', 'height'] });
    later();
    return () => {
      clearTimeout(timer);
      sized.disconnect();
      redrawn.disconnect();
    };
  }, [screen, scaling, viewOnly, state]);

  const rfb = useCallback(() => live.current, []);
  const reconnect = useCallback(() => {
    setProblem(null);
    setGeneration((g) => g + 1);
  }, []);

  return { state, problem, desktopName, rfb, reconnect, resizeNote };
}

/**
 * noVNC's canvas is where keys go, and it is left out of the Tab order (tabIndex -1); the desktop is
 * reachable with Tab like any control, and a screen reader is told what it is and how to leave it.
 */
function labelDesktop(target: HTMLElement): void {
  const canvas = target.querySelector('canvas');
  if (!canvas) return;
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'application');
  canvas.setAttribute('aria-roledescription', 'remote desktop');
  canvas.setAttribute('aria-label', 'Desktop: keys you type go to the VM');
  canvas.setAttribute('aria-describedby', DESKTOP_HINT_ID);
  canvas.dataset.testid = 'vnc-desktop';
}

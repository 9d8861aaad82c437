'use client';

import type RFB from '@novnc/novnc';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { afterClose } from './close-sentence';
import { socketTicket } from './socket-ticket';
import { backoffMs, socketUrl } from './socket-url';
import type { SocketProblem, SocketState } from './use-socket';

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

export type VncViewer = {
  state: SocketState;
  problem: SocketProblem | null;
  /** The desktop's own name, once connected. */
  desktopName: string | null;
  /** The RFB of the live connection, or null; do not keep it past a render. */
  rfb(): RFB | null;
  /** Connects again now (after "Try again"). */
  reconnect(): void;
};

export function useVnc(sessionId: string, screen: RefObject<HTMLElement | null>): VncViewer {
  const [state, setState] = useState<SocketState>('connecting');
  const [problem, setProblem] = useState<SocketProblem | null>(null);
  const [desktopName, setDesktopName] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const live = useRef<RFB | null>(null);

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
      // The whole desktop, scaled into the frame; the VM keeps its own size (an xterm at a fixed geometry).
      rfb.scaleViewport = true;
      rfb.resizeSession = false;
      rfb.clipViewport = false;
      rfb.background = 'transparent';
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

  const rfb = useCallback(() => live.current, []);
  const reconnect = useCallback(() => {
    setProblem(null);
    setGeneration((g) => g + 1);
  }, []);

  return { state, problem, desktopName, rfb, reconnect };
}

'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { afterClose } from './close-sentence';
import { socketTicket } from './socket-ticket';
import { backoffMs, socketUrl } from './socket-url';

// The one socket hook every panel uses (style.md habit 7). It builds the URL from `location`, asks for a
// single-use socket ticket right before each attempt (the sign-in stays in the httpOnly cookie), reconnects with backoff and jitter on the codes the close-code table marks as
// retryable (never on 44xx), asks the caller where to resume from on every reconnect, and closes the
// socket when the component goes away.

export type SocketState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export type SocketProblem = { code: number; sentence: string; final: boolean };

export type UseSocketOptions<M> = {
  /** Path on this origin, e.g. `/api/build/<id>`; null keeps the socket closed. */
  path: string | null;
  /** Query for each connection attempt, asked anew every time (e.g. `after` = the last seq seen). */
  query?: () => Record<string, string | number | undefined>;
  onMessage(message: M): void;
  /** Called on every successful open, with a send function that is safe to keep. */
  onOpen?(): void;
};

export type UseSocketResult = {
  state: SocketState;
  problem: SocketProblem | null;
  /** Consecutive attempts that closed before they ever opened (the SSE fallback watches this). */
  failedOpens: number;
  send(message: unknown): boolean;
  /** Drops the connection and connects again now (after a sign-in, or a user's "retry"). */
  reconnect(): void;
};

export function useSocket<M = unknown>(options: UseSocketOptions<M>): UseSocketResult {
  const [state, setState] = useState<SocketState>('connecting');
  const [problem, setProblem] = useState<SocketProblem | null>(null);
  const [failedOpens, setFailedOpens] = useState(0);
  const [generation, setGeneration] = useState(0);
  const wsRef = useRef<WebSocket | null>(null);
  // The latest callbacks, so a re-render never tears the socket down.
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    const path = options.path;
    if (!path) return;
    let stopped = false;
    let attempt = 0;
    let opensFailed = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const closedWith = (code: number) => {
      setFailedOpens(++opensFailed);
      const next = afterClose({ code });
      setProblem(next.problem);
      setState(next.state);
      if (next.retry) timer = setTimeout(connect, backoffMs(attempt++));
    };

    const connect = async () => {
      if (stopped) return;
      setState(attempt === 0 ? 'connecting' : 'reconnecting');
      const ticket = await socketTicket(path);
      if (stopped) return;
      if (!ticket.ok) return closedWith(ticket.code);
      const ws = new WebSocket(socketUrl(path, latest.current.query?.() ?? {}, ticket.ticket));
      wsRef.current = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        attempt = 0;
        opensFailed = 0;
        setFailedOpens(0);
        setProblem(null);
        setState('live');
        latest.current.onOpen?.();
      };
      ws.onmessage = (event) => {
        let message: M;
        try {
          message = JSON.parse(String(event.data)) as M;
        } catch {
          return;
        }
        latest.current.onMessage(message);
      };
      ws.onclose = (event) => {
        if (wsRef.current === ws) wsRef.current = null;
        if (stopped) return;
        if (!opened) setFailedOpens(++opensFailed);
        const next = afterClose(event);
        setProblem(next.problem);
        setState(next.state);
        if (next.retry) timer = setTimeout(connect, backoffMs(attempt++));
      };
    };

    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      const ws = wsRef.current;
      wsRef.current = null;
      // Closing a socket that is still connecting makes browsers log an error; let it open, then close.
      if (ws?.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close(1000);
      else ws?.close(1000);
    };
  }, [options.path, generation]);

  const send = useCallback((message: unknown) => {
    const ws = wsRef.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }, []);

  const reconnect = useCallback(() => setGeneration((g) => g + 1), []);

  return { state, problem, failedOpens, send, reconnect };
}

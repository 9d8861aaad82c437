'use client';

import { useEffect, useRef, useState } from 'react';
import { CLOSE, closeSentence, shouldReconnect } from '../errors/close-codes';
import { closeCodeForStatus } from '../errors/status-map';
import type { BuildEvent, HelloMessage } from '../protocol/build';
import { backoffMs } from './socket-url';
import type { SocketProblem, SocketState } from './use-socket';

// The build stream over Server-Sent Events (`GET /api/build/:projectId/events?build=&after=`), for when
// the socket cannot open. It is also how the page learns the server is back after a restart, so it says
// whether the server answered at all (`onReachable`), and it polls a server that is down more often
// than the socket's backoff would.

export type SseStatus = { state: SocketState; problem: SocketProblem | null };

export type BuildEventsHandlers = {
  resumeQuery(): Record<string, string | number>;
  onHello(hello: HelloMessage): void;
  onEvent(event: BuildEvent): void;
  /** true once anything came back from the server (a stream, a status), false when nothing did. */
  onReachable(reachable: boolean): void;
};

// The server's own `retry:` for a stream that ended with nothing to follow.
const SSE_POLL_MS = 2000;
// Retries of a server that does not answer stop growing at 2–4 s: a refused connection costs nothing,
// and the page should notice within seconds that a restarted server is back.
const MAX_BACKOFF_STEP = 3;

/**
 * Follows `buildId` (or, with none, the project's latest build) while `projectId` is set. Reconnects
 * itself with backoff and the current resume point (the URL an EventSource retries keeps its first
 * `after`, which the server reads before Last-Event-ID), and closes for good on `done`. A new build id
 * (one started over HTTP) opens a new stream.
 */
export function useBuildEvents(projectId: string | null, buildId: string | null, handlers: BuildEventsHandlers): SseStatus {
  const [status, setStatus] = useState<SseStatus>({ state: 'connecting', problem: null });
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    if (!projectId) return;
    let stopped = false;
    let attempt = 0;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (state: SocketState, problem: SocketProblem | null = null) => {
      stopped = true;
      source?.close();
      setStatus({ state, problem });
    };

    const open = () => {
      if (stopped) return;
      setStatus((s) => (s.state === 'live' ? s : { state: attempt === 0 ? 'connecting' : 'reconnecting', problem: s.problem }));
      const params = new URLSearchParams(Object.entries(latest.current.resumeQuery()).map(([k, v]) => [k, String(v)]));
      const url = `/api/build/${encodeURIComponent(projectId)}/events${params.size ? `?${params}` : ''}`;
      const es = new EventSource(url);
      source = es;
      let opened = false;
      es.onopen = () => {
        opened = true;
        attempt = 0;
        latest.current.onReachable(true);
        setStatus({ state: 'live', problem: null });
      };
      es.addEventListener('hello', (m) => {
        if (!stopped) latest.current.onHello(JSON.parse(m.data) as HelloMessage);
      });
      es.addEventListener('build', (m) => {
        if (stopped) return;
        const event = JSON.parse(m.data) as BuildEvent;
        latest.current.onEvent(event);
        // A finished build has nothing more to say; the server ends the stream too.
        if (event.type === 'done') finish('offline');
      });
      es.onerror = () => {
        if (stopped) return;
        const refused = es.readyState === EventSource.CLOSED;
        es.close();
        // A stream that ended without `done` (the project has no build yet): look again at the pace the
        // server asks for (`retry: 2000`), quietly.
        if (opened && !refused && !('build' in latest.current.resumeQuery())) return void (timer = setTimeout(open, SSE_POLL_MS));
        if (!refused) {
          // Never opened: nothing answered (a restart, the network); dropped after opening: try again.
          if (!opened) latest.current.onReachable(false);
          return retry();
        }
        // The browser gave up on its own: the answer was not a stream. Ask what it was.
        void fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(
          (res) => {
            void res.body?.cancel();
            if (stopped) return;
            latest.current.onReachable(true);
            // 204: a finished build with nothing after our seq; everything is on screen already.
            if (res.status === 204) return finish('offline');
            // A status an EventSource cannot read itself, as the close code that means the same (the one
            // map, lib/errors/status-map.ts); a refusal ends here, a busy or failing server is retried.
            const code = closeCodeForStatus(res.status);
            if (code && !shouldReconnect(code)) return finish('offline', { code, sentence: closeSentence(code) ?? '', final: true });
            retry();
          },
          () => {
            latest.current.onReachable(false);
            retry();
          },
        );
      };
    };
    const retry = () => {
      if (stopped) return;
      const code = CLOSE.ABNORMAL;
      setStatus({ state: 'reconnecting', problem: { code, sentence: closeSentence(code) ?? '', final: false } });
      timer = setTimeout(open, backoffMs(Math.min(attempt++, MAX_BACKOFF_STEP)));
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [projectId, buildId]);

  return status;
}

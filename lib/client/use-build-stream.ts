'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { CLOSE, closeSentence } from '../errors/close-codes';
import { isBuildEvent, type BuildEvent, type ClientMessage, type HelloMessage, type ServerMessage } from '../build/protocol';
import { applyEvents, applyHello, emptyView, type BuildView } from './build-view';
import { backoffMs } from './socket-url';
import { useSocket, type SocketProblem, type SocketState } from './use-socket';

// A project's build stream (design.md, "Build stream protocol") on top of the one socket hook: every
// reconnect resumes after the last seq of the build on screen, so nothing is missed and nothing shows
// twice. When the socket cannot open twice in a row (a proxy that does not pass WebSocket), the same
// events come over Server-Sent Events instead; starting and cancelling still need the socket.

export type Transport = 'socket' | 'sse';

export type BuildStream = {
  view: BuildView;
  transport: Transport;
  state: SocketState;
  /** Why the connection is not live, as a sentence from the close-code table. */
  problem: SocketProblem | null;
  /** The server's answer to the last start or cancel that it refused (`error` message). */
  refusal: string | null;
  /** Whether start/cancel can be sent right now. */
  canControl: boolean;
  start(prompt: string): boolean;
  cancel(): boolean;
};

// Consecutive failed opens before the socket is given up for SSE (issue 3: "twice in a row").
const FAILED_OPENS_BEFORE_SSE = 2;

export function useBuildStream(projectId: string): BuildStream {
  const [view, setView] = useState<BuildView>(emptyView);
  const [transport, setTransport] = useState<Transport>('socket');
  const [refusal, setRefusal] = useState<string | null>(null);
  // The view as of the last message, read synchronously when a connection asks where to resume.
  const viewRef = useRef(view);

  // A replay delivers thousands of events in a burst, one socket message each: the view is folded at
  // once but rendered once per frame, not once per event.
  const frame = useRef<number | null>(null);
  const waitingSince = useRef(0);
  const apply = useCallback((change: (v: BuildView) => BuildView) => {
    const next = change(viewRef.current);
    if (next === viewRef.current) return;
    viewRef.current = next;
    if (frame.current === null) {
      waitingSince.current = performance.now();
      frame.current = requestAnimationFrame(() => {
        frame.current = null;
        setView(viewRef.current);
      });
    } else if (performance.now() - waitingSince.current > 200) {
      // A page too busy to paint still shows the replay's progress a few times a second.
      waitingSince.current = performance.now();
      setView(next);
    }
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current ?? 0), []);

  const onHello = useCallback((hello: HelloMessage) => apply((v) => applyHello(v, hello)), [apply]);
  const onEvent = useCallback((event: BuildEvent) => apply((v) => applyEvents(v, [event])), [apply]);

  const resumeQuery = useCallback((): Record<string, string | number> => {
    const { build, lastSeq } = viewRef.current;
    return build ? { build: build.id, after: lastSeq } : {};
  }, []);

  const socket = useSocket<ServerMessage>({
    path: transport === 'socket' ? `/api/build/${encodeURIComponent(projectId)}` : null,
    query: resumeQuery,
    onMessage(message) {
      if (message.type === 'hello') return onHello(message);
      if (message.type === 'error') return setRefusal(message.message || closeSentence(message.code) || 'The server refused that.');
      if (isBuildEvent(message)) onEvent(message);
    },
  });

  useEffect(() => {
    if (transport === 'socket' && socket.failedOpens >= FAILED_OPENS_BEFORE_SSE) setTransport('sse');
  }, [transport, socket.failedOpens]);

  const sse = useBuildEvents(transport === 'sse' ? projectId : null, resumeQuery, onHello, onEvent);

  const { send } = socket;
  const start = useCallback(
    (prompt: string) => {
      setRefusal(null);
      return send({ type: 'start', prompt } satisfies ClientMessage);
    },
    [send],
  );
  const cancel = useCallback(() => {
    setRefusal(null);
    return send({ type: 'cancel' } satisfies ClientMessage);
  }, [send]);

  const onSocket = transport === 'socket';
  return {
    view,
    transport,
    state: onSocket ? socket.state : sse.state,
    problem: onSocket ? socket.problem : sse.problem,
    refusal,
    canControl: onSocket && socket.state === 'live',
    start,
    cancel,
  };
}

type SseStatus = { state: SocketState; problem: SocketProblem | null };

// The server's own `retry:` for a stream that ended with nothing to follow.
const SSE_POLL_MS = 2000;

// HTTP statuses an EventSource cannot read itself, as the close code that means the same (design.md).
const STATUS_TO_CLOSE: Record<number, number> = { 400: CLOSE.BAD_REQUEST, 401: CLOSE.UNAUTHORIZED, 403: CLOSE.FORBIDDEN, 404: CLOSE.NOT_FOUND };

/**
 * The SSE side: `GET /api/build/:projectId/events?build=&after=`. Reconnects itself with backoff and the
 * current resume point (the URL an EventSource retries keeps its first `after`, which the server reads
 * before Last-Event-ID), and closes for good on `done`.
 */
function useBuildEvents(
  projectId: string | null,
  resumeQuery: () => Record<string, string | number>,
  onHello: (hello: HelloMessage) => void,
  onEvent: (event: BuildEvent) => void,
): SseStatus {
  const [status, setStatus] = useState<SseStatus>({ state: 'connecting', problem: null });
  const handlers = useRef({ resumeQuery, onHello, onEvent });
  handlers.current = { resumeQuery, onHello, onEvent };

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
      const params = new URLSearchParams(Object.entries(handlers.current.resumeQuery()).map(([k, v]) => [k, String(v)]));
      const url = `/api/build/${encodeURIComponent(projectId)}/events${params.size ? `?${params}` : ''}`;
      const es = new EventSource(url);
      source = es;
      let opened = false;
      es.onopen = () => {
        opened = true;
        attempt = 0;
        setStatus({ state: 'live', problem: null });
      };
      es.addEventListener('hello', (m) => handlers.current.onHello(JSON.parse(m.data) as HelloMessage));
      es.addEventListener('build', (m) => {
        const event = JSON.parse(m.data) as BuildEvent;
        handlers.current.onEvent(event);
        // A finished build has nothing more to say; the server ends the stream too.
        if (event.type === 'done') finish('offline');
      });
      es.onerror = () => {
        if (stopped) return;
        const refused = es.readyState === EventSource.CLOSED;
        es.close();
        // A stream that ended without `done` (the project has no build yet): look again at the pace the
        // server asks for (`retry: 2000`), quietly.
        if (opened && !refused && !('build' in handlers.current.resumeQuery())) return void (timer = setTimeout(open, SSE_POLL_MS));
        if (!refused) return retry();
        // The browser gave up on its own: the answer was not a stream. Ask what it was.
        void fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(
          (res) => {
            void res.body?.cancel();
            if (stopped) return;
            // 204: a finished build with nothing after our seq; everything is on screen already.
            if (res.status === 204) return finish('offline');
            const code = STATUS_TO_CLOSE[res.status];
            if (code) return finish('offline', { code, sentence: closeSentence(code) ?? '', final: true });
            retry();
          },
          () => retry(),
        );
      };
    };
    const retry = () => {
      if (stopped) return;
      const code = CLOSE.ABNORMAL;
      setStatus({ state: 'reconnecting', problem: { code, sentence: closeSentence(code) ?? '', final: false } });
      timer = setTimeout(open, backoffMs(attempt++));
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [projectId]);

  return status;
}

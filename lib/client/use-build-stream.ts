'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { closeSentence } from '../errors/close-codes';
import { isBuildEvent, type BuildEvent, type ClientMessage, type HelloMessage, type ProviderInfo, type ServerMessage } from '../protocol/build';
import { applyEvents, applyHello, emptyView, type BuildView } from './build-view';
import { cancelBuildOverHttp, startBuildOverHttp } from './build-control';
import { useBuildEvents } from './use-build-events';
import { useSocket, type SocketProblem, type SocketState } from './use-socket';

// A project's build stream (design.md, "Build stream protocol") on top of the one socket hook: every
// reconnect resumes after the last seq of the build on screen, so nothing is missed and nothing shows
// twice. When the socket cannot open twice in a row (a proxy that does not pass WebSocket, a restart),
// the same events come over Server-Sent Events while the socket keeps being retried with backoff; the
// first time it opens again it takes over. Start and cancel go over the socket when it is live and over
// plain HTTP otherwise, so the panel is never read-only while the server answers at all.

export type Transport = 'socket' | 'sse';

export type BuildStream = {
  view: BuildView;
  transport: Transport;
  state: SocketState;
  /** Why the connection is not live, as a sentence from the close-code table. */
  problem: SocketProblem | null;
  /** The server's answer to the last start or cancel that it refused. */
  refusal: string | null;
  /** False when nothing of the server's answered lately (socket, event stream or API): Build waits for it. */
  reachable: boolean;
  /** Whether Build and Cancel can reach the server right now (over the socket, or over HTTP). */
  canControl: boolean;
  /** What a new build would be built with, from the latest hello that said. */
  providerInfo: ProviderInfo | null;
  start(prompt: string): void;
  cancel(): void;
};

// Consecutive failed opens before the events also come over SSE (issue 3: "twice in a row").
const FAILED_OPENS_BEFORE_SSE = 2;

/**
 * Two streams and HTTP starts can race each other: a hello may carry on the build on screen or move to a
 * newer one, never back to an older build, or to none once there is one.
 */
export function helloSupersedes(hello: HelloMessage, view: BuildView): boolean {
  const shown = view.build;
  if (!shown) return true;
  if (!hello.build) return false;
  return hello.build.id === shown.id || hello.build.createdAt >= shown.createdAt;
}

export function useBuildStream(projectId: string): BuildStream {
  const [view, setView] = useState<BuildView>(emptyView);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [fallback, setFallback] = useState(false);
  const [reachable, setReachable] = useState(true);
  const [pending, setPending] = useState(false);
  const [providerInfo, setProviderInfo] = useState<ProviderInfo | null>(null);
  // The view as of the last message, read synchronously when a connection asks where to resume.
  const viewRef = useRef(view);
  const reachableRef = useRef(true);
  const socketLive = useRef(false);

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

  const onHello = useCallback(
    (hello: HelloMessage) => {
      if (hello.providerInfo) setProviderInfo(hello.providerInfo);
      apply((v) => (helloSupersedes(hello, v) ? applyHello(v, hello) : v));
    },
    [apply],
  );
  const onEvent = useCallback((event: BuildEvent) => apply((v) => applyEvents(v, [event])), [apply]);

  const resumeQuery = useCallback((): Record<string, string | number> => {
    const { build, lastSeq } = viewRef.current;
    return build ? { build: build.id, after: lastSeq } : {};
  }, []);

  const socket = useSocket<ServerMessage>({
    path: `/api/build/${encodeURIComponent(projectId)}`,
    query: resumeQuery,
    onMessage(message) {
      if (message.type === 'hello') return onHello(message);
      if (message.type === 'error') return setRefusal(message.message || closeSentence(message.code) || 'The server refused that.');
      if (isBuildEvent(message)) onEvent(message);
    },
  });
  socketLive.current = socket.state === 'live';
  const { send, reconnect } = socket;

  const noteReachable = useCallback(
    (now: boolean) => {
      const was = reachableRef.current;
      reachableRef.current = now;
      setReachable(now);
      // The server is back (a restart): try the socket now instead of at the end of its backoff.
      if (now && !was && !socketLive.current) reconnect();
    },
    [reconnect],
  );

  useEffect(() => {
    if (socket.state === 'live') {
      setFallback(false);
      reachableRef.current = true;
      setReachable(true);
    } else if (socket.failedOpens >= FAILED_OPENS_BEFORE_SSE) setFallback(true);
  }, [socket.state, socket.failedOpens]);

  // A refusal the socket will not retry (signed out, not found) ends the fallback too: it says why.
  const onSse = fallback && socket.state !== 'live' && !socket.problem?.final;
  const sse = useBuildEvents(onSse ? projectId : null, view.build?.id ?? null, { resumeQuery, onHello, onEvent, onReachable: noteReachable });

  const start = useCallback(
    (prompt: string) => {
      setRefusal(null);
      if (send({ type: 'start', prompt } satisfies ClientMessage)) return;
      setPending(true);
      void startBuildOverHttp(projectId, prompt).then((answer) => {
        setPending(false);
        noteReachable(answer.ok || answer.reachable);
        if (!answer.ok) return void (answer.reachable ? setRefusal(answer.sentence) : undefined);
        // The new build's own stream (socket or SSE) follows from here, from its first event.
        onHello({ type: 'hello', build: answer.value, provider: viewRef.current.provider ?? answer.value.provider ?? '', lastSeq: 0 });
      });
    },
    [send, projectId, noteReachable, onHello],
  );

  const cancel = useCallback(() => {
    setRefusal(null);
    if (send({ type: 'cancel' } satisfies ClientMessage)) return;
    const buildId = viewRef.current.build?.id;
    if (!buildId) return;
    setPending(true);
    void cancelBuildOverHttp(projectId, buildId).then((answer) => {
      setPending(false);
      noteReachable(answer.ok || answer.reachable);
      if (!answer.ok && answer.reachable) setRefusal(answer.sentence);
    });
  }, [send, projectId, noteReachable]);

  const problem = onSse ? sse.problem : socket.problem;
  const live = socket.state === 'live';
  return {
    view,
    transport: onSse ? 'sse' : 'socket',
    state: onSse ? sse.state : socket.state,
    problem,
    refusal,
    reachable: live || reachable,
    canControl: !pending && !problem?.final && (live || reachable),
    providerInfo,
    start,
    cancel,
  };
}

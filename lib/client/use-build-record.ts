'use client';

import { useEffect, useRef, useState } from 'react';
import type { BuildEvent, BuildInfo } from '../protocol/build';
import type { BuildEventsPage } from '../protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from './api';
import { buildApiPath } from './build-paths';
import { applyEvents, applyHello, emptyView, type BuildView } from './build-view';
import { backoffMs } from './socket-url';

// One build as its own page shows it: its record, then every stored event folded into the same
// BuildView the project page uses (page by page, so a long log never arrives as one huge answer), then —
// while it still runs — its live events over Server-Sent Events (`?build=<id>&after=<seq>`), resumed
// from the last seq on screen after any break, until `done`.

export type BuildRecord =
  | { state: 'loading' }
  | { state: 'error'; message: string; status: number }
  | { state: 'ready'; view: BuildView; following: boolean };

type EventsPage = BuildEventsPage;

const PAGE = 2000;

export function useBuildRecord(projectId: string, buildId: string): BuildRecord {
  const [record, setRecord] = useState<BuildRecord>({ state: 'loading' });
  const viewRef = useRef<BuildView>(emptyView());

  useEffect(() => {
    const ctrl = new AbortController();
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const show = (view: BuildView, following: boolean) => {
      viewRef.current = view;
      setRecord({ state: 'ready', view, following });
    };

    const follow = () => {
      if (ctrl.signal.aborted) return;
      const view = viewRef.current;
      const es = new EventSource(`/api/build/${encodeURIComponent(projectId)}/events?build=${encodeURIComponent(buildId)}&after=${view.lastSeq}`);
      source = es;
      es.onopen = () => (attempt = 0);
      es.addEventListener('build', (m) => {
        const next = applyEvents(viewRef.current, [JSON.parse((m as MessageEvent<string>).data) as BuildEvent]);
        show(next, !next.done);
        if (next.done) es.close();
      });
      es.onerror = () => {
        es.close();
        if (ctrl.signal.aborted || viewRef.current.done) return;
        // The stream broke (a restart, a proxy): pick up after the last seq on screen.
        timer = setTimeout(follow, backoffMs(attempt++));
      };
    };

    (async () => {
      const info = await apiRequest<BuildInfo>(buildApiPath(projectId, buildId), { signal: ctrl.signal });
      let view = applyHello(emptyView(), { type: 'hello', build: info, provider: info.provider ?? '', lastSeq: info.lastSeq });
      for (let after = 0; ; ) {
        const page = await apiRequest<EventsPage>(`${buildApiPath(projectId, buildId)}/events?after=${after}&limit=${PAGE}`, { signal: ctrl.signal });
        view = applyEvents(view, page.events);
        if (!page.more || page.events.length === 0) break;
        after = page.events[page.events.length - 1].seq;
      }
      const running = info.status === 'running' && !view.done;
      show(view, running);
      if (running) follow();
    })().catch((err: unknown) => {
      if (ctrl.signal.aborted) return;
      setRecord(err instanceof ApiError ? { state: 'error', message: err.message, status: err.status } : { state: 'error', message: OFFLINE_SENTENCE, status: 0 });
    });

    return () => {
      ctrl.abort();
      clearTimeout(timer);
      source?.close();
    };
  }, [projectId, buildId]);

  return record;
}

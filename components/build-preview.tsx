'use client';

import { ExternalLink, MonitorX, RefreshCw } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { buildApiPath } from '@/lib/client/build-paths';
import { Button } from './button';
import { EmptyState } from './empty-state';
import { ErrorSentence } from './error-sentence';

type Minted = { state: 'loading' } | { state: 'ready'; url: string } | { state: 'error'; message: string };

/**
 * The built app, running: an iframe of a link to the preview origin minted for this build (an hour's
 * capability). The iframe's sandbox matches the policy the preview origin sends, so the app runs with an
 * opaque origin either way: scripts and forms yes, the dashboard's cookies, storage and API no.
 */
export function BuildPreview({ projectId, buildId, hasFiles }: { projectId: string; buildId: string; hasFiles: boolean }) {
  const [minted, setMinted] = useState<Minted>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!hasFiles) return;
    const ctrl = new AbortController();
    apiRequest<{ url: string }>(`${buildApiPath(projectId, buildId)}/preview`, { method: 'POST', body: {}, signal: ctrl.signal }).then(
      ({ url }) => setMinted({ state: 'ready', url }),
      (err: unknown) => {
        if (!ctrl.signal.aborted) setMinted({ state: 'error', message: err instanceof ApiError ? err.message : OFFLINE_SENTENCE });
      },
    );
    return () => ctrl.abort();
  }, [projectId, buildId, hasFiles, attempt]);

  const reload = useCallback(() => {
    setMinted({ state: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  if (!hasFiles) {
    return (
      <EmptyState icon={MonitorX} title="Nothing to preview">
        This build wrote no files.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <p className="w-full min-w-0 text-sm text-muted sm:w-auto sm:flex-1">Runs from a separate, sandboxed origin: it cannot reach your session or this dashboard.</p>
        <Button variant="ghost" className="h-8 px-2.5" onClick={reload}>
          <RefreshCw aria-hidden className="size-4" />
          Reload
        </Button>
        {minted.state === 'ready' ? (
          <a
            href={minted.url}
            target="_blank"
            rel="noopener noreferrer"
            className="inline-flex h-8 items-center gap-2 rounded-md border border-line-strong bg-surface px-2.5 text-sm font-medium text-ink shadow-xs hover:bg-sunken"
          >
            <ExternalLink aria-hidden className="size-4" />
            Open in a new tab
          </a>
        ) : null}
      </div>
      {minted.state === 'error' ? <ErrorSentence>{minted.message}</ErrorSentence> : null}
      {minted.state === 'loading' ? <div role="status" className="h-[60vh] animate-pulse rounded-lg border border-line bg-sunken/60"><span className="sr-only">Opening the preview…</span></div> : null}
      {minted.state === 'ready' ? (
        <iframe
          key={minted.url}
          src={minted.url}
          title="Preview of the built app"
          sandbox="allow-scripts allow-forms allow-modals"
          referrerPolicy="no-referrer"
          className="h-[60vh] min-h-80 w-full rounded-lg border border-line bg-white"
        />
      ) : null}
    </div>
  );
}

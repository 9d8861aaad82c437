'use client';

import { History } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { BuildInfo } from '@/lib/protocol/build';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { buildPagePath } from '@/lib/client/build-paths';
import { formatElapsed } from '@/lib/client/elapsed';
import { BuildStatusBadge } from './build-status-badge';
import { CountBadge } from './count-badge';
import { CreatedAt } from './created-at';
import { EmptyState } from './empty-state';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';
import { Panel } from './panel';
import { RerunButton } from './rerun-button';

type History = { state: 'loading' } | { state: 'ready'; builds: BuildInfo[] } | { state: 'error'; message: string; status: number };

/**
 * The project's builds, newest first. `version` changes when a build starts or ends; the list is then
 * fetched again in place, keeping the rows on screen while it loads.
 */
export function BuildHistory({ projectId, version }: { projectId: string; version: string }) {
  const [history, setHistory] = useState<History>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<BuildInfo[]>(`/api/projects/${encodeURIComponent(projectId)}/builds`, { signal: ctrl.signal }).then(
      (builds) => setHistory({ state: 'ready', builds }),
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setHistory(err instanceof ApiError ? { state: 'error', message: err.message, status: err.status } : { state: 'error', message: OFFLINE_SENTENCE, status: 0 });
      },
    );
    return () => ctrl.abort();
  }, [projectId, version, attempt]);

  return (
    <Panel
      id="build-history"
      title="Build history"
      description="Every build of this project, newest first."
      aside={history.state === 'ready' ? <CountBadge count={history.builds.length} label={history.builds.length === 1 ? 'build' : 'builds'} /> : null}
    >
      {history.state === 'loading' ? <ListSkeleton label="Loading builds…" rows={2} /> : null}
      {history.state === 'error' ? (
        <LoadError
          message={history.message}
          status={history.status}
          onRetry={() => {
            setHistory({ state: 'loading' });
            setAttempt((n) => n + 1);
          }}
        />
      ) : null}
      {history.state === 'ready' && history.builds.length === 0 ? (
        <EmptyState icon={History} title="No builds yet">
          Builds you start appear here with how they ended.
        </EmptyState>
      ) : null}
      {history.state === 'ready' && history.builds.length > 0 ? (
        <ol aria-label="Builds" className="divide-y divide-line">
          {history.builds.map((build) => (
            <li key={build.id} data-testid="build-history-item" data-build={build.id} className="grid grid-cols-[auto_1fr_auto] items-center gap-x-3 gap-y-0.5 px-5 py-3">
              <BuildStatusBadge status={build.status} />
              {/* Each row opens the build's own page: its log, changes and preview. */}
              <Link href={buildPagePath(projectId, build.id)} className="min-w-0 truncate rounded text-sm text-ink hover:text-accent hover:underline" title={build.prompt}>
                {build.prompt}
              </Link>
              <CreatedAt ms={build.createdAt} />
              <span className="col-start-2 col-end-4 flex flex-wrap items-center gap-x-3 text-xs text-muted">
                <span>
                  Provider <span className="font-medium text-ink/80">{build.provider ?? '—'}</span>
                </span>
                <span>{build.durationMs !== null ? `Took ${formatElapsed(build.durationMs)}` : 'Running…'}</span>
                {build.files.length > 0 ? <span>{build.files.length === 1 ? '1 file' : `${build.files.length} files`}</span> : null}
                <span className="ml-auto">
                  <RerunButton projectId={projectId} prompt={build.prompt} compact />
                </span>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </Panel>
  );
}

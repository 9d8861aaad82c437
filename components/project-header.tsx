'use client';

import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import type { PublicProject } from '@/lib/store/projects';
import { useApiData } from '@/lib/client/use-api-data';
import { CreatedAt } from './created-at';
import { ErrorSentence } from './error-sentence';

/** The project's name and the way back to the dashboard; a project that is gone or not yours says so. */
export function ProjectHeader({ projectId }: { projectId: string }) {
  const { result } = useApiData<PublicProject>(`/api/projects/${encodeURIComponent(projectId)}`);

  return (
    <div className="space-y-3">
      <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-muted hover:text-ink">
        <ArrowLeft aria-hidden className="size-4" />
        Dashboard
      </Link>
      {result.state === 'ready' ? (
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <h1 className="min-w-0 truncate text-xl font-semibold tracking-tight text-ink">{result.data.name}</h1>
          <span className="text-xs text-muted">
            Created <CreatedAt ms={result.data.createdAt} />
          </span>
        </div>
      ) : null}
      {result.state === 'loading' ? (
        <div role="status" className="h-7">
          <span className="sr-only">Loading the project…</span>
          <span aria-hidden className="block h-6 w-48 animate-pulse rounded bg-sunken" />
        </div>
      ) : null}
      {result.state === 'error' ? (
        <>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Project</h1>
          <ErrorSentence className="max-w-xl">{result.message}</ErrorSentence>
        </>
      ) : null}
    </div>
  );
}

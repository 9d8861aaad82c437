'use client';

import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { createContext, use, type ReactNode } from 'react';
import type { PublicProject } from '@/lib/protocol/api';
import { useApiData } from '@/lib/client/use-api-data';
import { HTTP_ERRORS } from '@/lib/errors/http-errors';
import { LoadError } from './load-error';
import { MissingResource } from './missing-resource';
import { PageTitle } from './page-title';

const CurrentProject = createContext<PublicProject | null>(null);

/** The project the page is about; only inside <ProjectGate>, which renders nothing else until it exists. */
export function useProject(): PublicProject {
  const project = use(CurrentProject);
  if (!project) throw new Error('useProject() is only available inside <ProjectGate>.');
  return project;
}

// A malformed id (400), an unknown or deleted one (404) and another user's (403) read the same: the page
// must not tell a stranger which ids exist.
const MISSING = new Set([400, 403, 404]);

/**
 * Every page under /projects/[id] asks for the project once, here, and renders its panels only when it is
 * there: a missing project is one message for the page, not one per panel. The pages below name the tab
 * (<PageTitle>) once they render; until then this does.
 */
export function ProjectGate({ projectId, children }: { projectId: string; children: ReactNode }) {
  const { result, retry } = useApiData<PublicProject>(`/api/projects/${encodeURIComponent(projectId)}`);

  if (result.state === 'ready') return <CurrentProject value={result.data}>{children}</CurrentProject>;
  if (result.state === 'error' && MISSING.has(result.status)) {
    return (
      <>
        <PageTitle parts={['Not found']} />
        <MissingResource sentence={HTTP_ERRORS.no_such_project.message} />
      </>
    );
  }
  return (
    <div className="space-y-3">
      <PageTitle parts={['Project']} />
      <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-muted hover:text-ink">
        <ArrowLeft aria-hidden className="size-4" />
        Dashboard
      </Link>
      {result.state === 'loading' ? (
        <div role="status" className="h-7">
          <span className="sr-only">Loading the project…</span>
          <span aria-hidden className="block h-6 w-48 animate-pulse rounded bg-sunken" />
        </div>
      ) : (
        <div className="-mx-5 max-w-xl">
          <LoadError message={result.message} status={result.status} onRetry={retry} />
        </div>
      )}
    </div>
  );
}

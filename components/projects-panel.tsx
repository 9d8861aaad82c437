'use client';

import { ChevronRight, FolderCode } from 'lucide-react';
import Link from 'next/link';
import type { PublicProject } from '@/lib/protocol/api';
import { useApiData } from '@/lib/client/use-api-data';
import { CountBadge } from './count-badge';
import { CreatedAt } from './created-at';
import { EmptyState } from './empty-state';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';
import { CreateByNameForm } from './create-by-name-form';
import { Panel } from './panel';

export function ProjectsPanel() {
  const { result, update, retry } = useApiData<PublicProject[]>('/api/projects');

  return (
    <Panel
      id="projects"
      title="Projects"
      description="Workspaces the build service writes into."
      aside={result.state === 'ready' ? <CountBadge count={result.data.length} label={result.data.length === 1 ? 'project' : 'projects'} /> : null}
    >
      {result.state === 'ready' ? <CreateByNameForm<PublicProject> noun="project" endpoint="/api/projects" submitLabel="Create project" onCreated={(p) => update((list) => [p, ...list.filter((q) => q.id !== p.id)])} /> : null}
      {result.state === 'loading' ? <ListSkeleton label="Loading projects…" /> : null}
      {result.state === 'error' ? <LoadError message={result.message} status={result.status} onRetry={retry} /> : null}
      {result.state === 'ready' && result.data.length === 0 ? (
        <EmptyState icon={FolderCode} title="No projects yet">
          Name your first project above to start building.
        </EmptyState>
      ) : null}
      {result.state === 'ready' && result.data.length > 0 ? (
        <ul aria-label="Projects" className="divide-y divide-line">
          {result.data.map((project) => (
            <li key={project.id}>
              <Link href={`/projects/${encodeURIComponent(project.id)}`} className="group flex items-center gap-3 px-5 py-3 hover:bg-sunken/60 focus-visible:-outline-offset-2">
                <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-lg bg-accent/10 text-accent">
                  <FolderCode className="size-4" />
                </span>
                <span className="min-w-0 flex-1 truncate text-sm font-medium text-ink group-hover:text-accent">{project.name}</span>
                <CreatedAt ms={project.createdAt} />
                <ChevronRight aria-hidden className="size-4 shrink-0 text-muted" />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}

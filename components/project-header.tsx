'use client';

import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { CreatedAt } from './created-at';
import { PageTitle } from './page-title';
import { useProject } from './project-gate';

/** The project's name (in the page and the tab) and the way back to the dashboard; inside <ProjectGate>. */
export function ProjectHeader() {
  const project = useProject();
  return (
    <div className="space-y-3">
      <PageTitle parts={[project.name]} />
      <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-muted hover:text-ink">
        <ArrowLeft aria-hidden className="size-4" />
        Dashboard
      </Link>
      <div className="flex min-w-0 flex-wrap items-baseline gap-x-3 gap-y-1">
        <h1 className="min-w-0 max-w-full truncate text-xl font-semibold tracking-tight text-ink">{project.name}</h1>
        <span className="text-xs text-muted">
          Created <CreatedAt ms={project.createdAt} />
        </span>
      </div>
    </div>
  );
}

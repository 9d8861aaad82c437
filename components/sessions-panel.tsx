'use client';

import { Monitor } from 'lucide-react';
import type { PublicSession } from '@/lib/store/sessions';
import { useApiData } from '@/lib/client/use-api-data';
import { CountBadge } from './count-badge';
import { CreatedAt } from './created-at';
import { EmptyState } from './empty-state';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';
import { Panel } from './panel';
import { SessionStatusBadge } from './session-status-badge';

const KIND: Record<PublicSession['kind'], string> = { local: 'Local VM', external: 'External VNC' };

export function SessionsPanel() {
  const { result, retry } = useApiData<PublicSession[]>('/api/sessions');

  return (
    <Panel
      id="sessions"
      title="VM sessions"
      description="Desktops you can open in the browser."
      aside={result.state === 'ready' ? <CountBadge count={result.data.length} label={result.data.length === 1 ? 'session' : 'sessions'} /> : null}
    >
      {result.state === 'loading' ? <ListSkeleton label="Loading sessions…" rows={2} /> : null}
      {result.state === 'error' ? <LoadError message={result.message} status={result.status} onRetry={retry} /> : null}
      {result.state === 'ready' && result.data.length === 0 ? (
        <EmptyState icon={Monitor} title="No VM sessions yet">
          Sessions you start, or that an admin registers for you, appear here.
        </EmptyState>
      ) : null}
      {result.state === 'ready' && result.data.length > 0 ? (
        <ul aria-label="VM sessions" className="divide-y divide-line">
          {result.data.map((session) => (
            <li key={session.id} className="flex items-center gap-3 px-5 py-3">
              <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-lg bg-sunken text-muted">
                <Monitor className="size-4" />
              </span>
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm font-medium text-ink">{session.name}</span>
                <span className="block text-xs text-muted">
                  {KIND[session.kind]} · <CreatedAt ms={session.createdAt} />
                </span>
              </span>
              <SessionStatusBadge status={session.status} />
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}

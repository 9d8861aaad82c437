'use client';

import { Monitor, ShieldAlert, Trash2 } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import type { PublicSession } from '@/lib/protocol/api';
import type { VmProviderInfo } from '@/lib/protocol/api';
import { useApiData } from '@/lib/client/use-api-data';
import { CountBadge } from './count-badge';
import { CreatedAt } from './created-at';
import { DeleteSessionDialog } from './delete-session-dialog';
import { EmptyState } from './empty-state';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';
import { CreateByNameForm } from './create-by-name-form';
import { Panel } from './panel';
import { SessionStatusBadge } from './session-status-badge';

export const SESSION_KIND: Record<PublicSession['kind'], string> = { local: 'Local VM', external: 'External VNC' };

export function SessionsPanel() {
  const { result, update, retry } = useApiData<PublicSession[]>('/api/sessions');
  // Whether this user may start a local VM here, and if not (or not sandboxed), the server's sentence.
  const { result: provider } = useApiData<VmProviderInfo>('/api/vm-provider');
  const canStart = provider.state !== 'ready' || provider.data.canStart;
  const providerSentence = provider.state === 'ready' ? provider.data.sentence : null;
  const [deleting, setDeleting] = useState<PublicSession | null>(null);

  return (
    <Panel
      id="sessions"
      title="VM sessions"
      description="Desktops you can open in the browser."
      aside={result.state === 'ready' ? <CountBadge count={result.data.length} label={result.data.length === 1 ? 'session' : 'sessions'} /> : null}
    >
      {providerSentence ? (
        <p role="note" data-testid="vm-provider-sentence" className="mx-5 mt-4 flex items-start gap-2 rounded-md border border-line bg-sunken/60 px-3 py-2 text-sm text-muted">
          <ShieldAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>{providerSentence}</span>
        </p>
      ) : null}
      {result.state === 'ready' && canStart ? <CreateByNameForm<PublicSession> noun="session" endpoint="/api/sessions" submitLabel="Start session" pendingLabel="Starting…" onCreated={(s) => update((list) => [s, ...list.filter((t) => t.id !== s.id)])} /> : null}
      {result.state === 'loading' ? <ListSkeleton label="Loading sessions…" rows={2} /> : null}
      {result.state === 'error' ? <LoadError message={result.message} status={result.status} onRetry={retry} /> : null}
      {result.state === 'ready' && result.data.length === 0 ? (
        <EmptyState icon={Monitor} title="No VM sessions yet">
          {canStart ? 'Start one above; sessions an admin registers for you appear here too.' : 'Sessions an admin registers for you appear here.'}
        </EmptyState>
      ) : null}
      {result.state === 'ready' && result.data.length > 0 ? (
        <ul aria-label="VM sessions" className="divide-y divide-line">
          {result.data.map((session) => (
            <li key={session.id} className="group relative flex items-center gap-3 px-5 py-3 hover:bg-sunken/60">
              <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-lg bg-sunken text-muted">
                <Monitor className="size-4" />
              </span>
              <span className="min-w-0 flex-1">
                {/* The whole row opens the session; the delete button sits above the link's overlay. */}
                <Link href={`/sessions/${session.id}`} className="block truncate text-sm font-medium text-ink after:absolute after:inset-0 hover:underline">
                  {session.name}
                </Link>
                <span className="block text-xs text-muted">
                  {SESSION_KIND[session.kind]} · <CreatedAt ms={session.createdAt} />
                </span>
              </span>
              <SessionStatusBadge status={session.status} />
              <button
                type="button"
                aria-label={`Delete ${session.name}`}
                title="Delete session"
                onClick={() => setDeleting(session)}
                className="relative grid size-8 shrink-0 place-items-center rounded-md text-muted transition-colors hover:bg-danger-soft hover:text-danger"
              >
                <Trash2 aria-hidden className="size-4" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <DeleteSessionDialog
        session={deleting}
        onCancel={() => setDeleting(null)}
        onDeleted={(id) => {
          setDeleting(null);
          update((list) => list.filter((s) => s.id !== id));
        }}
      />
    </Panel>
  );
}

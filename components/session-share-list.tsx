'use client';

import { Eye, MousePointer2 } from 'lucide-react';
import Link from 'next/link';
import type { PublicSession } from '@/lib/protocol/api';
import { useApiData } from '@/lib/client/use-api-data';
import { Panel } from './panel';
import { SessionStatusBadge } from './session-status-badge';

// The dashboard's "Shared with you": sessions other users shared through links this user accepted (and
// that are still live). Nothing at all when there are none, so the dashboard stays as it was.
export function SessionShareList() {
  const { result } = useApiData<PublicSession[]>('/api/shared-sessions');
  if (result.state !== 'ready' || result.data.length === 0) return null;
  return (
    <div className="mt-6">
      <Panel id="shared-sessions" title="Shared with you" description="VM sessions others shared with you.">
        <ul aria-label="Sessions shared with you" className="divide-y divide-line">
          {result.data.map((s) => {
            const Icon = s.access === 'view-only' ? Eye : MousePointer2;
            return (
              <li key={s.id} className="relative flex items-center gap-3 px-5 py-3 hover:bg-sunken/60">
                <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-lg bg-sunken text-muted">
                  <Icon className="size-4" />
                </span>
                <span className="min-w-0 flex-1">
                  <Link href={`/sessions/${s.id}`} className="block truncate text-sm font-medium text-ink after:absolute after:inset-0 hover:underline">
                    {s.name}
                  </Link>
                  <span className="block text-xs text-muted">
                    {s.access === 'view-only' ? 'You can watch' : 'You can work in it'} · shared by {s.ownerName}
                  </span>
                </span>
                <SessionStatusBadge status={s.status} />
              </li>
            );
          })}
        </ul>
      </Panel>
    </div>
  );
}

'use client';

import type { ProcessRole, ProcessStatus } from '@/lib/protocol/api';
import { formatDuration } from '@/lib/protocol/format-units';
import { Panel } from './panel';

// Every Portico process (design.md "Scale-out") on the status page, from their heartbeats: gateways,
// workers and vmhosts, where they run, how long they have, what they carry, and whether they still beat.
// Embedded there is one process doing all three jobs; the panel then says so in one line.

const ROLE_NAMES: Record<ProcessRole, string> = { gateway: 'Gateway', worker: 'Build worker', vmhost: 'VM host' };
const LOAD_NAMES: Record<string, string> = { sockets: 'Sockets', builds: 'Builds', vms: 'VMs' };
const STATE: Record<ProcessStatus['state'], { dot: string; text: string; word: string }> = {
  ok: { dot: 'bg-emerald-500', text: 'text-muted', word: 'Up' },
  draining: { dot: 'bg-amber-500', text: 'text-amber-600 dark:text-amber-400', word: 'Draining' },
  late: { dot: 'bg-danger', text: 'text-danger', word: 'Missed a heartbeat' },
};

export function Processes({ processes, error, now }: { processes: readonly ProcessStatus[] | null | undefined; error?: string | null; now: number }) {
  if (!processes && !error) return null;
  const all = processes ?? [];
  const late = all.filter((p) => p.state === 'late').length;
  return (
    <Panel
      id="processes"
      title="Processes"
      description={all.length === 1 && all[0].roles.length === 3 ? 'One process does every job (embedded: no REDIS_URL).' : 'Every gateway, build worker and VM host, from its last heartbeat.'}
      aside={<span className={`shrink-0 text-xs ${late ? 'text-danger' : 'text-muted'}`}>{late ? `${late} of ${all.length} not answering` : `${all.length} running`}</span>}
    >
      {error ? (
        <p role="alert" className="px-5 py-3 text-sm text-danger">
          {error}
        </p>
      ) : null}
      <ul className="divide-y divide-line">
        {all.map((p) => {
          const s = STATE[p.state];
          const load = Object.entries(p.load);
          return (
            <li key={p.id} aria-label={`${p.roles.map((r) => ROLE_NAMES[r]).join(', ')} on ${p.host}`} className="flex flex-col gap-2 px-5 py-3 text-sm sm:flex-row sm:items-center sm:gap-4">
              <div className="flex min-w-0 flex-1 items-start gap-3">
                <span aria-hidden className={`mt-1.5 size-2 shrink-0 rounded-full ${s.dot}`} />
                <div className="min-w-0">
                  <span className="block truncate font-medium text-ink">{p.roles.map((r) => ROLE_NAMES[r]).join(' · ')}</span>
                  <span className="block truncate text-xs text-muted">
                    {p.host} · pid {p.pid}
                    {p.url ? (
                      <>
                        {' · '}
                        <code>{p.url}</code>
                      </>
                    ) : null}
                  </span>
                </div>
              </div>
              <dl className="flex shrink-0 flex-wrap gap-4 pl-5 text-xs sm:pl-0 sm:text-right">
                {load.map(([k, v]) => (
                  <div key={k}>
                    <dt className="text-muted">{LOAD_NAMES[k] ?? k}</dt>
                    <dd className="font-medium tabular-nums text-ink">{v}</dd>
                  </div>
                ))}
                <div>
                  <dt className="text-muted">Up for</dt>
                  <dd className="font-medium tabular-nums text-ink">{formatDuration(Math.max(0, (now - p.startedAt) / 1000))}</dd>
                </div>
                <div>
                  <dt className="text-muted">State</dt>
                  <dd data-testid={`process-state-${p.id}`} className={`font-medium ${s.text}`}>
                    {s.word}
                  </dd>
                </div>
              </dl>
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}

'use client';

import { Clock, Cpu, Gauge, Timer } from 'lucide-react';
import type { ReactNode } from 'react';
import { isRunning, type BuildView } from '@/lib/client/build-view';
import { formatElapsed, formatRunning } from '@/lib/client/elapsed';
import { useNow } from '@/lib/client/use-now';
import { BuildStatusBadge } from './build-status-badge';
import { CreatedAt } from './created-at';

/** How long a build ran: ticking while it runs, its final duration once it ended. */
export function buildDurationMs(view: BuildView, now: number): number | null {
  const build = view.build;
  if (!build) return null;
  if (build.durationMs !== null) return build.durationMs;
  if (view.done) return view.done.at - build.createdAt;
  return build.status === 'running' ? now - build.createdAt : null;
}

/** A CI run's header: what was asked, where it stands, for how long, and how fast the model is. */
export function BuildRunHeader({ view, aside }: { view: BuildView; aside?: ReactNode }) {
  const build = view.build!;
  const running = isRunning(view);
  const now = useNow(running);
  const duration = buildDurationMs(view, now);
  const stats = view.stats;
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
      <div className="min-w-0 flex-1">
        <h3 className="text-xs font-medium tracking-wide text-muted uppercase">{running ? 'Building' : 'Latest build'}</h3>
        <p className="mt-1 line-clamp-2 text-sm break-words text-ink" title={build.prompt}>
          {build.prompt}
        </p>
        <dl className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted">
          {duration !== null ? (
            <Fact icon={Timer} label={running ? 'Elapsed' : 'Duration'}>
              <span data-testid="build-elapsed" className="font-medium text-ink tabular-nums">
                {running ? formatRunning(duration) : formatElapsed(duration)}
              </span>
            </Fact>
          ) : null}
          {stats?.model || view.provider ? (
            <Fact icon={Cpu} label="Model">
              <span data-testid="build-model" className="font-medium text-ink">
                {stats?.model ? `${view.provider ?? 'openai'} · ${stats.model}` : view.provider}
              </span>
            </Fact>
          ) : null}
          {stats?.tokensPerSecond != null ? (
            <Fact icon={Gauge} label="Speed">
              <span data-testid="build-tokens-per-second" className="font-medium text-ink tabular-nums">
                {stats.tokensPerSecond.toFixed(stats.tokensPerSecond < 10 ? 1 : 0)} tokens/s
              </span>
              <span className="tabular-nums">
                {' '}
                ({stats.estimated ? '≈' : ''}
                {stats.tokens.toLocaleString('en')} tokens)
              </span>
            </Fact>
          ) : null}
          {stats?.firstTokenMs != null ? (
            <Fact icon={Clock} label="First token">
              <span data-testid="build-first-token" className="font-medium text-ink tabular-nums">
                {formatElapsed(stats.firstTokenMs)}
              </span>{' '}
              to first token
            </Fact>
          ) : null}
        </dl>
      </div>
      <div className="flex shrink-0 items-center gap-2 sm:flex-col sm:items-end sm:gap-1">
        {/* Once it has ended, the result below says how. */}
        {view.done ? null : <BuildStatusBadge status={build.status} />}
        <CreatedAt ms={build.createdAt} />
        {aside}
      </div>
    </div>
  );
}

function Fact({ icon: Icon, label, children }: { icon: typeof Timer; label: string; children: ReactNode }) {
  return (
    <div className="flex items-center gap-1.5">
      <Icon aria-hidden className="size-3.5 shrink-0" />
      <dt className="sr-only">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

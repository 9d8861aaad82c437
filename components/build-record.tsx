'use client';

import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { BuildOutcome } from '@/lib/protocol/build';
import { isRunning } from '@/lib/client/build-view';
import { formatElapsed } from '@/lib/client/elapsed';
import { useBuildRecord } from '@/lib/client/use-build-record';
import { BuildDiffView } from './build-diff';
import { FileProgressList } from './file-progress';
import { BuildLog } from './build-log';
import { BuildPreview } from './build-preview';
import { BuildResult } from './build-result';
import { BuildStages } from './build-stages';
import { BuildStatusBadge } from './build-status-badge';
import { CreatedAt } from './created-at';
import { ErrorSentence } from './error-sentence';
import { MissingResource } from './missing-resource';
import { PageTitle } from './page-title';
import { useProject } from './project-gate';
import { ProgressBar } from './progress-bar';
import { RerunButton } from './rerun-button';

const ENDED: Record<BuildOutcome, string> = { succeeded: 'Finished', failed: 'Stopped: the build failed', cancelled: 'Stopped: cancelled' };

const TABS = [
  { id: 'log', label: 'Log and result' },
  { id: 'changes', label: 'Changes' },
  { id: 'preview', label: 'Preview' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/**
 * One build at its own address: what was asked, how it went (the same pieces the project page shows,
 * folded from the build's stored events, following live while it runs), what it changed, and the app it
 * built. A thin composition: the pieces are the project page's own.
 */
export function BuildRecordView({ projectId, buildId }: { projectId: string; buildId: string }) {
  const record = useBuildRecord(projectId, buildId);
  const project = useProject();
  const title = <PageTitle parts={[`Build ${buildId.slice(0, 8)}`, project.name]} />;
  const [tab, setTab] = useState<Tab>('log');

  const back = (
    <Link href={`/projects/${encodeURIComponent(projectId)}`} className="inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-muted hover:text-ink">
      <ArrowLeft aria-hidden className="size-4" />
      Project
    </Link>
  );

  if (record.state === 'loading') {
    return (
      <div className="space-y-4">
        {title}
        {back}
        <div role="status" className="space-y-3">
          <span className="sr-only">Loading the build…</span>
          <span aria-hidden className="block h-7 w-64 animate-pulse rounded bg-sunken" />
          <span aria-hidden className="block h-40 animate-pulse rounded-xl bg-sunken" />
        </div>
      </div>
    );
  }
  // An unknown build, or one of another project, is the page's one message, like a missing project.
  if (record.state === 'error' && record.status === 404) {
    return (
      <>
        {title}
        <MissingResource sentence={record.message}>Check the address, or open the build from the project's history.</MissingResource>
      </>
    );
  }
  if (record.state === 'error') {
    return (
      <div className="space-y-4">
        {title}
        {back}
        <h1 className="text-xl font-semibold tracking-tight text-ink">Build</h1>
        <ErrorSentence className="max-w-xl">{record.message}</ErrorSentence>
      </div>
    );
  }

  const { view, following } = record;
  const build = view.build!;
  const running = isRunning(view);
  const durationMs = build.durationMs ?? (view.done ? view.done.at - build.createdAt : null);

  return (
    <div className="space-y-6">
      {title}
      <div className="space-y-3">
        {back}
        <div className="flex flex-wrap items-start gap-x-4 gap-y-3">
          <div className="min-w-0 flex-1 basis-72">
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <h1 className="text-xl font-semibold tracking-tight text-ink">Build</h1>
              <BuildStatusBadge status={view.done?.status ?? build.status} />
              {following ? <span className="text-xs text-muted">Following live</span> : null}
            </div>
            <p data-testid="build-prompt" className="mt-2 text-sm break-words text-ink">
              {build.prompt}
            </p>
            <p className="mt-1 flex flex-wrap gap-x-3 text-xs text-muted">
              <span>
                Started <CreatedAt ms={build.createdAt} />
              </span>
              <span>
                Provider <span className="font-medium text-ink/80">{view.provider ?? '—'}</span>
              </span>
              {durationMs !== null ? <span>Took {formatElapsed(durationMs)}</span> : null}
            </p>
          </div>
          <RerunButton projectId={projectId} prompt={build.prompt} />
        </div>
      </div>

      <section aria-label="This build" className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
        <Tabs tab={tab} onChange={setTab} label="Build views">
          {tab === 'log' ? (
            <div className="space-y-5">
              <BuildStages stages={view.stages} />
              <ProgressBar percent={view.percent} message={view.done ? ENDED[view.done.status] : view.progressMessage} active={running} tone={view.done?.status === 'failed' ? 'danger' : 'accent'} />
              {view.done ? (
                <BuildResult projectId={projectId} buildId={build.id} status={view.done.status} summary={view.done.summary} provider={view.provider} durationMs={durationMs} files={view.files} />
              ) : null}
              {running ? <FileProgressList files={view.fileProgress} /> : null}
              {/* The model's text is in the log, as lines of the generate group, as on the project page. */}
              <Section title="Log">
                <BuildLog view={view} />
              </Section>
            </div>
          ) : null}
          {tab === 'changes' ? running ? <p className="text-sm text-muted">The changes are shown once the build has finished.</p> : <BuildDiffView projectId={projectId} buildId={build.id} /> : null}
          {tab === 'preview' ? running ? <p className="text-sm text-muted">The preview opens once the build has finished.</p> : <BuildPreview projectId={projectId} buildId={build.id} hasFiles={view.files.length > 0} /> : null}
        </Tabs>
      </section>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="space-y-2">
      <h2 className="text-xs font-medium tracking-wide text-muted uppercase">{title}</h2>
      {children}
    </div>
  );
}

/** WAI-ARIA tabs: arrow keys, Home and End move between them; only the selected one is in the tab order. */
function Tabs({ tab, onChange, label, children }: { tab: Tab; onChange(t: Tab): void; label: string; children: ReactNode }) {
  const id = useId();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (e: KeyboardEvent, i: number) => {
    const to = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i - 1 + TABS.length) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    onChange(TABS[to].id);
    refs.current[to]?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto border-b border-line px-3">
        {TABS.map((t, i) => {
          const selected = t.id === tab;
          return (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`${id}-${t.id}-tab`}
              aria-selected={selected}
              aria-controls={`${id}-panel`}
              tabIndex={selected ? 0 : -1}
              onClick={() => onChange(t.id)}
              onKeyDown={(e) => move(e, i)}
              className={`-mb-px shrink-0 border-b-2 px-3 py-3 text-sm font-medium whitespace-nowrap transition-colors ${selected ? 'border-accent text-ink' : 'border-transparent text-muted hover:text-ink'}`}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${tab}-tab`} className="px-4 py-5 sm:px-5">
        {children}
      </div>
    </>
  );
}

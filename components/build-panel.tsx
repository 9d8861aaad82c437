'use client';

import { Hammer } from 'lucide-react';
import Link from 'next/link';
import type { BuildOutcome } from '@/lib/protocol/build';
import { buildPagePath } from '@/lib/client/build-paths';
import { isRunning } from '@/lib/client/build-view';
import { useBuildStream } from '@/lib/client/use-build-stream';
import { BuildHistory } from './build-history';
import { BuildLog } from './build-log';
import { BuildResult } from './build-result';
import { BuildStages } from './build-stages';
import { BuildRunHeader } from './build-run-header';
import { ConnectionBadge } from './connection-badge';
import { EmptyState } from './empty-state';
import { ErrorSentence } from './error-sentence';
import { FileProgressList } from './file-progress';
import { ProgressBar } from './progress-bar';
import { PromptForm } from './prompt-form';
import { StreamNotice } from './stream-notice';

const ENDED: Record<BuildOutcome, string> = { succeeded: 'Finished', failed: 'Stopped: the build failed', cancelled: 'Stopped: cancelled' };

/** The PromptPanel (prompt, Build, the build as it streams, its result) and the project's build history. */
export function BuildPanel({ projectId }: { projectId: string }) {
  const stream = useBuildStream(projectId);
  const { view } = stream;
  const build = view.build;
  const running = isRunning(view);
  const durationMs = build?.durationMs ?? (build && view.done ? view.done.at - build.createdAt : null);

  return (
    <div className="space-y-6">
      <section aria-labelledby="prompt-panel-title" className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
        <header className="flex items-start justify-between gap-4 border-b border-line px-5 py-4">
          <div className="min-w-0">
            <h2 id="prompt-panel-title" className="text-sm font-semibold text-ink">
              Build
            </h2>
            <p className="mt-0.5 text-sm text-muted">Describe an app; the build service plans, generates, writes and checks it.</p>
          </div>
          <ConnectionBadge state={stream.state} label={stream.transport === 'sse' ? 'Build stream (fallback)' : 'Build stream'} note={stream.transport === 'sse' && stream.reachable ? 'fallback' : undefined} />
        </header>

        <PromptForm
          projectId={projectId}
          running={running}
          canControl={stream.canControl}
          provider={build ? null : view.provider}
          providerInfo={stream.providerInfo}
          onBuild={stream.start}
          onCancel={stream.cancel}
        />

        <div className="space-y-5 px-5 py-5">
          <StreamNotice problem={stream.problem} transport={stream.transport} reachable={stream.reachable} />
          {stream.refusal ? <ErrorSentence>{stream.refusal}</ErrorSentence> : null}

          {build ? (
            <section aria-label="Current build" data-testid="current-build" data-build={build.id} className="space-y-5">
              <BuildRunHeader
                view={view}
                aside={
                  <Link href={buildPagePath(projectId, build.id)} className="text-xs font-medium text-accent hover:underline">
                    Open this build
                  </Link>
                }
              />
              <BuildStages stages={view.stages} />
              <ProgressBar percent={view.percent} message={view.done ? ENDED[view.done.status] : view.progressMessage} active={running} tone={view.done?.status === 'failed' ? 'danger' : 'accent'} />
              {running ? <FileProgressList files={view.fileProgress} /> : null}
              {view.done ? (
                <BuildResult projectId={projectId} buildId={build.id} status={view.done.status} summary={view.done.summary} provider={view.provider} durationMs={durationMs} files={view.files} />
              ) : null}
              <div className="space-y-2">
                <h3 className="text-xs font-medium tracking-wide text-muted uppercase">Log</h3>
                {/* The model's text is in the log too, as lines of the generate group: one log, like a CI run. */}
                <BuildLog view={view} />
              </div>
            </section>
          ) : stream.state === 'live' || stream.transport === 'sse' ? (
            <EmptyState icon={Hammer} title="Nothing built yet">
              Describe what this project should be and press Build. Progress, the log and the files written show up here.
            </EmptyState>
          ) : null}
        </div>
      </section>

      <BuildHistory projectId={projectId} version={`${build?.id ?? ''}:${view.done?.status ?? build?.status ?? ''}`} />
    </div>
  );
}

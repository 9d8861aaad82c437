import type { BuildOutcome } from '@/lib/protocol/build';
import type { WrittenFile } from '@/lib/client/build-view';
import { formatElapsed } from '@/lib/client/elapsed';
import { BuildFiles } from './build-files';
import { BuildStatusBadge } from './build-status-badge';

type BuildResultProps = {
  projectId: string;
  /** On a build's own page: its files come from its own output, not the workspace. */
  buildId?: string;
  status: BuildOutcome;
  summary: string;
  provider: string | null;
  durationMs: number | null;
  files: WrittenFile[];
};

const TONE: Record<BuildOutcome, string> = {
  succeeded: 'border-emerald-600/25 bg-emerald-500/5',
  failed: 'border-danger-line bg-danger-soft',
  cancelled: 'border-line bg-sunken/50',
};

/** How the build ended, in a sentence, who built it, and what it wrote. */
export function BuildResult({ projectId, buildId, status, summary, provider, durationMs, files }: BuildResultProps) {
  return (
    <section aria-label="Result" data-testid="build-result" className="space-y-3">
      <div className={`rounded-lg border px-4 py-3 ${TONE[status]}`}>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <BuildStatusBadge status={status} />
          <p className="text-xs text-muted">
            {status === 'succeeded' ? 'Built with ' : 'Provider '}
            <span data-testid="build-provider" className="font-medium text-ink">
              {provider ?? 'unknown'}
            </span>
            {durationMs !== null ? `${status === 'succeeded' ? ' in' : ', stopped after'} ${formatElapsed(durationMs)}` : null}
          </p>
        </div>
        <p className="mt-2 text-sm text-ink">{summary}</p>
      </div>
      {files.length > 0 ? <BuildFiles projectId={projectId} buildId={buildId} files={files} /> : null}
    </section>
  );
}

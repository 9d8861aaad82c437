'use client';

import { ChevronRight, GitCompare } from 'lucide-react';
import Link from 'next/link';
import type { BuildInfo } from '@/lib/protocol/build';
import type { BuildDiff, FileDiff } from '@/lib/protocol/api';
import { buildApiPath, buildPagePath } from '@/lib/client/build-paths';
import { useApiData } from '@/lib/client/use-api-data';
import { CreatedAt } from './created-at';
import { EmptyState } from './empty-state';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';


const CHANGE: Record<FileDiff['change'], { label: string; className: string }> = {
  added: { label: 'Added', className: 'text-emerald-700 dark:text-emerald-300' },
  removed: { label: 'Removed', className: 'text-danger' },
  changed: { label: 'Changed', className: 'text-amber-700 dark:text-amber-300' },
};

/** Each file the build wrote against the project's previous successful build, as coloured +/- lines. */
export function BuildDiffView({ projectId, buildId }: { projectId: string; buildId: string }) {
  const { result, retry } = useApiData<BuildDiff>(`${buildApiPath(projectId, buildId)}/diff`);
  if (result.state === 'loading') return <ListSkeleton label="Comparing with the previous build…" rows={3} />;
  if (result.state === 'error') return <LoadError message={result.message} status={result.status} onRetry={retry} />;
  const { base, baseFilesGone, files, unchanged, notCompared } = result.data;
  return (
    <div className="space-y-3">
      <p className="text-sm text-muted">
        {base ? (
          <>
            Compared with the previous successful build,{' '}
            <Link href={buildPagePath(projectId, base.id)} className="font-medium text-accent hover:underline">
              “{base.prompt.length > 60 ? `${base.prompt.slice(0, 60)}…` : base.prompt}”
            </Link>{' '}
            (<CreatedAt ms={base.createdAt} />).{baseFilesGone ? ' Its files are no longer kept, so every file shows as new.' : ''}
          </>
        ) : (
          'No successful build came before this one: every file it wrote is new.'
        )}
        {unchanged > 0 ? ` ${unchanged} ${unchanged === 1 ? 'file is' : 'files are'} unchanged.` : ''}
        {notCompared > 0 ? ` ${notCompared} more ${notCompared === 1 ? 'file was' : 'files were'} not compared (a diff covers 200 files).` : ''}
      </p>
      {files.length === 0 ? (
        <EmptyState icon={GitCompare} title="No changes">
          This build wrote the same files as the one before it.
        </EmptyState>
      ) : (
        <ul aria-label="Changed files" className="space-y-2">
          {files.map((f) => (
            <li key={f.path} data-testid="diff-file" data-path={f.path}>
              <details open={files.length <= 10} className="group overflow-hidden rounded-lg border border-line">
                <summary className="flex cursor-pointer list-none items-center gap-2 bg-sunken/50 px-3 py-2 text-sm [&::-webkit-details-marker]:hidden">
                  <ChevronRight aria-hidden className="size-3.5 shrink-0 text-muted transition-transform group-open:rotate-90" />
                  <span className="min-w-0 flex-1 truncate font-mono text-[13px] text-ink">{f.path}</span>
                  <span className={`shrink-0 text-xs font-medium ${CHANGE[f.change].className}`}>{CHANGE[f.change].label}</span>
                  {f.diff ? (
                    <span className="shrink-0 text-xs tabular-nums">
                      <span className="text-emerald-700 dark:text-emerald-300">+{f.added}</span> <span className="text-danger">−{f.removed}</span>
                    </span>
                  ) : null}
                </summary>
                <DiffBody file={f} />
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DiffBody({ file }: { file: FileDiff }) {
  if (file.binary) return <p className="px-3 py-2 text-sm text-muted">A binary file: its bytes {file.change === 'changed' ? 'changed' : file.change === 'added' ? 'are new' : 'are gone'}.</p>;
  if (file.tooLarge || file.diff === null) return <p className="px-3 py-2 text-sm text-muted">Too large to diff: over 256 KB, or too many changed lines to compare.</p>;
  if (file.diff === '') return <p className="px-3 py-2 text-sm text-muted">An empty file.</p>;
  const lines = file.diff.endsWith('\n') ? file.diff.slice(0, -1).split('\n') : file.diff.split('\n');
  return (
    // Long lines scroll inside the diff, never the page (390 px wide screens included).
    <div role="region" aria-label={`Diff of ${file.path}`} tabIndex={0} className="max-h-[32rem] overflow-auto border-t border-line">
      <pre className="min-w-max py-1 font-mono text-xs leading-5">
        {lines.map((line, i) => (
          <div key={i} data-kind={line[0] === '@' ? 'hunk' : line[0]} className={LINE[line[0] as keyof typeof LINE] ?? 'px-3 text-ink/85'}>
            {line[0] === '+' || line[0] === '-' ? <span className="sr-only">{line[0] === '+' ? 'added: ' : 'removed: '}</span> : null}
            {line || ' '}
          </div>
        ))}
      </pre>
    </div>
  );
}

const LINE = {
  '+': 'px-3 bg-emerald-500/12 text-emerald-900 dark:text-emerald-200',
  '-': 'px-3 bg-red-500/12 text-red-900 dark:text-red-200',
  '@': 'px-3 bg-accent/8 text-muted',
};

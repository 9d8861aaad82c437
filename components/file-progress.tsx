import { CircleCheck, LoaderCircle } from 'lucide-react';
import type { FileProgress } from '@/lib/client/build-view';
import { formatBytes } from '@/lib/protocol/format-units';

/** The files as the model writes them: each with its size so far, ticked once its block is complete. */
export function FileProgressList({ files }: { files: FileProgress[] }) {
  if (!files.length) return null;
  return (
    <ul aria-label="Files being written" className="flex flex-wrap gap-2">
      {files.map((f) => (
        <li
          key={f.path}
          data-testid="file-progress"
          data-path={f.path}
          data-state={f.state}
          className="inline-flex max-w-full min-w-0 items-center gap-1.5 rounded-md border border-line bg-surface px-2 py-1 text-xs"
        >
          {f.state === 'complete' ? (
            <CircleCheck aria-label="written" className="size-3.5 shrink-0 text-emerald-600 dark:text-emerald-400" />
          ) : (
            <LoaderCircle aria-label="being written" className="size-3.5 shrink-0 animate-spin text-accent" />
          )}
          <span className="truncate font-mono text-ink">{f.path}</span>
          <span className="shrink-0 text-muted tabular-nums">{formatBytes(f.bytes)}</span>
        </li>
      ))}
    </ul>
  );
}

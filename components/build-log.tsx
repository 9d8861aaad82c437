'use client';

import type { LogLine } from '@/lib/client/build-view';
import { useStickToBottom } from '@/lib/client/use-stick-to-bottom';

const LEVEL: Record<LogLine['level'], string> = {
  info: 'text-ink/85',
  warn: 'text-amber-700 dark:text-amber-300',
  error: 'text-danger',
};

/** The build's log lines as they arrive, following the end unless the reader scrolled up. */
export function BuildLog({ lines, dropped, startedAt }: { lines: LogLine[]; dropped: number; startedAt: number | null }) {
  const { ref, onScroll } = useStickToBottom<HTMLDivElement>(lines);
  return (
    <div className="overflow-hidden rounded-lg border border-line bg-sunken/60">
      <div ref={ref} onScroll={onScroll} tabIndex={0} aria-label="Build log" role="region" className="max-h-64 overflow-y-auto px-3 py-2 font-mono text-xs leading-5">
        {dropped > 0 ? <p className="text-muted">… {dropped} earlier lines not kept</p> : null}
        {lines.length === 0 ? <p className="text-muted">Log lines appear here as the build runs.</p> : null}
        <ol data-testid="build-log">
          {lines.map((line) => (
            <li key={line.seq} data-seq={line.seq} className="flex gap-3">
              <span className="shrink-0 text-muted tabular-nums select-none">{startedAt ? `+${((line.at - startedAt) / 1000).toFixed(1)}s` : ''}</span>
              <span className={`min-w-0 break-words whitespace-pre-wrap ${LEVEL[line.level]}`}>
                {line.level !== 'info' ? <span className="font-semibold uppercase">{line.level} </span> : null}
                {line.text}
              </span>
            </li>
          ))}
        </ol>
      </div>
    </div>
  );
}

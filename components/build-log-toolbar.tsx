'use client';

import { ChevronDown, ChevronUp, Download, Search } from 'lucide-react';

type ToolbarProps = {
  query: string;
  onQuery(q: string): void;
  count: number;
  capped: boolean;
  /** 1-based position of the current match, 0 when there is none. */
  current: number;
  onNext(): void;
  onPrevious(): void;
  /** Where the raw log downloads from, when there is a build. */
  download: string | null;
  dropped: number;
};

/** Search over the whole log with next / previous, and the raw log's download. */
export function BuildLogToolbar({ query, onQuery, count, capped, current, onNext, onPrevious, download, dropped }: ToolbarProps) {
  const iconButton = 'inline-flex size-7 items-center justify-center rounded-md text-muted hover:bg-line/60 hover:text-ink disabled:opacity-40 disabled:hover:bg-transparent';
  return (
    <div className="border-b border-line bg-surface/60">
      <div className="flex items-center gap-1.5 px-2 py-1.5">
        <label className="relative flex min-w-0 flex-1 items-center">
          <Search aria-hidden className="pointer-events-none absolute left-2 size-3.5 text-muted" />
          <input
            type="search"
            value={query}
            onChange={(e) => onQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              if (e.shiftKey) onPrevious();
              else onNext();
            }}
            aria-label="Search the log"
            placeholder="Search the log"
            className="h-7 w-full min-w-0 rounded-md border border-line-strong bg-surface pr-2 pl-7 text-xs text-ink placeholder:text-muted/70 focus-visible:border-accent focus-visible:outline-2 focus-visible:outline-accent/40 sm:max-w-72"
          />
        </label>
        <span role="status" aria-live="polite" className="shrink-0 text-xs text-muted tabular-nums" data-testid="log-search-count">
          {query ? (count ? `${current.toLocaleString('en')} of ${count.toLocaleString('en')}${capped ? '+' : ''}` : 'No matches') : ''}
        </span>
        <button type="button" aria-label="Previous match" disabled={!count} onClick={onPrevious} className={iconButton}>
          <ChevronUp aria-hidden className="size-4" />
        </button>
        <button type="button" aria-label="Next match" disabled={!count} onClick={onNext} className={iconButton}>
          <ChevronDown aria-hidden className="size-4" />
        </button>
        {download ? (
          <a href={download} download aria-label="Download the raw log" title="Download the raw log" className={`${iconButton} sm:w-auto sm:gap-1.5 sm:px-2 sm:text-xs`}>
            <Download aria-hidden className="size-4 shrink-0" />
            <span aria-hidden className="hidden sm:inline">
              Raw log
            </span>
          </a>
        ) : null}
      </div>
      {dropped > 0 ? (
        <p className="px-3 pb-1.5 text-xs text-muted">
          The first {dropped.toLocaleString('en')} lines are not kept on this page; the raw log has them all.
        </p>
      ) : null}
    </div>
  );
}

'use client';

import { ChevronRight, Circle, CircleCheck, CircleSlash, CircleX, LoaderCircle, type LucideIcon } from 'lucide-react';
import type { Stage } from '@/lib/protocol/build';
import { styleClass } from '@/lib/client/ansi';
import { formatElapsed, formatRunning } from '@/lib/client/elapsed';
import type { LogLine } from '@/lib/client/log-book';
import { markedPieces, offsetLabel, type LogGroup } from '@/lib/client/log-model';

// One row of the build log: a stage's header (a toggle) or a line. Both have fixed heights (log-model's
// LINE_PX and HEADER_PX: h-5 and h-8) because the list is laid out by arithmetic, not measured.

const NAMES: Record<Stage, string> = { plan: 'Plan', generate: 'Generate', write: 'Write', verify: 'Verify' };

const LOOK: Record<string, { icon: LucideIcon; label: string; iconClass: string }> = {
  none: { icon: Circle, label: '', iconClass: 'text-muted' },
  pending: { icon: Circle, label: 'Pending', iconClass: 'text-line-strong' },
  started: { icon: LoaderCircle, label: 'Running', iconClass: 'animate-spin text-accent' },
  done: { icon: CircleCheck, label: 'Done', iconClass: 'text-emerald-600 dark:text-emerald-400' },
  failed: { icon: CircleX, label: 'Failed', iconClass: 'text-danger' },
  cancelled: { icon: CircleSlash, label: 'Cancelled', iconClass: 'text-muted' },
};

export const groupName = (g: LogGroup) => (g.stage ? NAMES[g.stage] : 'Set up');

type HeaderProps = { group: LogGroup; open: boolean; now: number; note: string | null; onToggle(): void };

export function LogGroupHeader({ group, open, now, note, onToggle }: HeaderProps) {
  const look = LOOK[group.state] ?? LOOK.none;
  const Icon = look.icon;
  const { startedAt, endedAt } = group.time;
  // While the model is awaited the note says how long; a running stage ticks in whole seconds.
  const duration = startedAt === null || note ? null : endedAt === null ? formatRunning(now - startedAt) : formatElapsed(endedAt - startedAt);
  const lines = `${group.count.toLocaleString('en')} line${group.count === 1 ? '' : 's'}`;
  const empty = group.count === 0;
  return (
    <div data-testid="build-log-group" data-stage={group.stage ?? 'setup'} data-state={group.state} data-open={open} className="flex h-8 items-center border-t border-line first:border-t-0">
      <button
        type="button"
        aria-expanded={empty ? undefined : open}
        disabled={empty && !note}
        onClick={onToggle}
        className="sticky left-0 flex h-full items-center gap-2 bg-sunken px-2 font-sans text-[13px] text-ink hover:text-accent disabled:cursor-default disabled:text-muted disabled:hover:text-muted"
      >
        <ChevronRight aria-hidden className={`size-3.5 shrink-0 text-muted transition-transform ${open && !empty ? 'rotate-90' : ''} ${empty ? 'invisible' : ''}`} />
        <Icon aria-hidden className={`size-4 shrink-0 ${look.iconClass}`} />
        <span className="font-medium">{groupName(group)}</span>
        {look.label && group.state !== 'started' ? <span className="sr-only">{look.label}</span> : null}
        {note ? (
          <span role="status" className="text-xs text-amber-700 dark:text-amber-300">
            {note}
          </span>
        ) : null}
        {duration ? <span className="text-xs text-muted tabular-nums">{duration}</span> : null}
        {!empty ? <span className="hidden text-xs text-muted sm:inline">· {lines}</span> : null}
      </button>
    </div>
  );
}

/** The stage whose lines fill the top of the view, pinned there once its own header scrolled away. */
export function PinnedGroupLabel({ group }: { group: LogGroup }) {
  const look = LOOK[group.state] ?? LOOK.none;
  const Icon = look.icon;
  return (
    <div aria-hidden className="pointer-events-none sticky top-0 left-0 z-10 h-0">
      <div className="flex h-7 items-center gap-2 border-b border-line bg-sunken/95 px-2 font-sans text-xs text-ink shadow-xs backdrop-blur-sm">
        <ChevronRight className="size-3.5 shrink-0 rotate-90 text-muted" />
        <Icon className={`size-3.5 shrink-0 ${look.iconClass}`} />
        <span className="font-medium">{groupName(group)}</span>
      </div>
    </div>
  );
}

const LEVEL: Record<LogLine['level'], string> = { info: '', warn: 'text-amber-700 dark:text-amber-300', error: 'text-danger' };

type LineProps = {
  line: LogLine;
  startedAt: number | null;
  marks: { from: number; to: number; current: boolean }[];
  target: boolean;
};

export function LogLineRow({ line, startedAt, marks, target }: LineProps) {
  const wall = new Date(line.at);
  return (
    <li
      data-n={line.n}
      data-seq={line.seq}
      data-source={line.source}
      aria-current={target ? 'location' : undefined}
      className={`flex h-5 items-center ${target ? 'bg-accent/15' : 'hover:bg-line/40'}`}
    >
      <a
        href={`#L${line.n}`}
        aria-label={`Line ${line.n}`}
        className={`sticky left-0 w-16 shrink-0 self-stretch pr-3 text-right leading-5 tabular-nums select-none hover:text-accent ${target ? 'bg-accent/15 text-accent' : 'bg-sunken text-muted'}`}
      >
        {line.n}
      </a>
      <time dateTime={wall.toISOString()} title={wall.toLocaleString()} className="w-14 shrink-0 text-muted tabular-nums select-none">
        {startedAt === null ? '' : offsetLabel(line.at - startedAt)}
      </time>
      <span className={`pr-4 whitespace-pre ${LEVEL[line.level] || (line.source === 'output' ? 'text-ink/80' : 'text-ink')}`}>
        {line.level !== 'info' ? <span className="font-semibold uppercase">{line.level} </span> : null}
        {markedPieces(line, marks).map((p, i) =>
          p.mark === 'none' ? (
            <span key={i} className={styleClass(p.style) || undefined}>
              {p.text}
            </span>
          ) : (
            <mark
              key={i}
              data-current-match={p.mark === 'current' || undefined}
              className={`rounded-sm text-inherit ${p.mark === 'current' ? 'bg-amber-400 ring-1 ring-amber-600 dark:bg-amber-500/80' : 'bg-amber-200 dark:bg-amber-500/35'} ${styleClass(p.style)}`}
            >
              {p.text}
            </mark>
          ),
        )}
      </span>
    </li>
  );
}

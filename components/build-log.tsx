'use client';

import { ArrowDown } from 'lucide-react';
import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { isRunning, type BuildView } from '@/lib/client/build-view';
import { firstKeptN } from '@/lib/client/log-book';
import { HEADER_PX, LINE_PX, findMatches, groupOf, layout, lineTop, logGroups, logLines, matchesOn, openByDefault, rowsBetween, waitingNote, type LogGroup } from '@/lib/client/log-model';
import { useNow } from '@/lib/client/use-now';
import { useStickToBottom } from '@/lib/client/use-stick-to-bottom';
import { LogGroupHeader, LogLineRow, PinnedGroupLabel, groupName } from './build-log-rows';
import { BuildLogToolbar } from './build-log-toolbar';

// The build's log as a CI page shows it: a collapsible group per stage, every line numbered and timed,
// searchable, linkable (#L123), following the end while the build runs. Only the rows in view (plus a
// margin) are in the DOM, so 100,000 lines scroll as smoothly as 100. Works from a BuildView alone
// (a live stream or events read back from the store).

const MAX_HEIGHT_PX = 480;
const OVERSCAN_PX = 400;

const lineHash = (hash: string) => {
  const m = /^#L(\d+)$/.exec(hash);
  return m ? Number(m[1]) : null;
};

export function BuildLog({ view }: { view: BuildView }) {
  const live = isRunning(view);
  const now = useNow(live);
  const lines = useMemo(() => logLines(view), [view]);
  const groups = useMemo(() => logGroups(view, lines), [view, lines]);
  const startedAt = view.build?.createdAt ?? null;

  // What the reader chose per group (a toggle, a search hit, a link); the rest follows openByDefault.
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const isOpen = useCallback((g: LogGroup) => chosen[g.key] ?? openByDefault(groups, g), [chosen, groups]);
  const placed = useMemo(() => layout(groups, isOpen), [groups, isOpen]);

  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(MAX_HEIGHT_PX);
  // Follow while it runs, and through its last lines once it ended (they may come in the same frame as
  // the end); a failed build opens at its end, where the error is.
  const watchedLive = useRef(false);
  if (live) watchedLive.current = true;
  const follow = useStickToBottom(scroller, { active: live || watchedLive.current || view.done?.status === 'failed', height: placed.height, onScrolled: (el) => setScrollTop(el.scrollTop) });
  const { pause } = follow;

  // Search: matches over every line, collapsed groups too; `current` is an index into `matches`.
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const { matches, capped } = useMemo(() => findMatches(lines, deferredQuery), [lines, deferredQuery]);
  const [current, setCurrent] = useState(0);
  const [reveal, setReveal] = useState<{ index: number; token: number; match: boolean } | null>(null);

  // A line named in the address (#L123): scrolled to and lit once it has arrived.
  const [target, setTarget] = useState<number | null>(null);
  const [targetShown, setTargetShown] = useState(false);

  useEffect(() => {
    const read = () => {
      setTarget(lineHash(window.location.hash));
      setTargetShown(false);
    };
    read();
    window.addEventListener('hashchange', read);
    return () => window.removeEventListener('hashchange', read);
  }, []);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  /** Opens the group of line `index` and puts the line a third of the way down the view. */
  const showIndex = useCallback(
    (index: number, match = false) => {
      const g = groupOf(groups, index);
      if (!g) return;
      // Pinned open: a stage that finishes later must not fold the line away from under the reader.
      setChosen((c) => (c[g.key] ? c : { ...c, [g.key]: true }));
      pause();
      setReveal({ index, token: Date.now() + Math.random(), match });
    },
    [groups, pause],
  );

  // Scroll to a revealed line once its group is open in the layout, once per reveal: later lines must not
  // pull the reader back. The current match's mark is then brought into view sideways (long lines scroll).
  const revealed = useRef<number | null>(null);
  const markPending = useRef(false);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !reveal || revealed.current === reveal.token) return;
    const top = lineTop(placed, reveal.index);
    if (top === null) return;
    revealed.current = reveal.token;
    markPending.current = reveal.match;
    el.scrollTop = Math.max(0, top - el.clientHeight / 3);
    setScrollTop(el.scrollTop);
    // A linked line: the page itself scrolls to the log too (a search already happens inside it).
    if (!reveal.match) el.scrollIntoView({ block: 'center' });
  }, [reveal, placed]);

  useLayoutEffect(() => {
    const el = scroller.current;
    const mark = el?.querySelector<HTMLElement>('[data-current-match]');
    if (!el || !mark || !markPending.current) return;
    markPending.current = false;
    const left = mark.offsetLeft;
    if (left < el.scrollLeft + 130 || left > el.scrollLeft + el.clientWidth - 40) el.scrollLeft = Math.max(0, left - el.clientWidth / 2);
  });

  useEffect(() => {
    if (target === null || targetShown) return;
    const first = firstKeptN(view.lines) ?? 1;
    const index = target - first;
    if (index < 0 || index >= lines.size) return;
    setTargetShown(true);
    showIndex(index);
  }, [target, targetShown, lines, view.lines, showIndex]);

  const goTo = useCallback(
    (i: number) => {
      if (!matches.length) return;
      const next = ((i % matches.length) + matches.length) % matches.length;
      setCurrent(next);
      showIndex(matches[next].index, true);
    },
    [matches, showIndex],
  );

  // A new query starts at its first match.
  useEffect(() => {
    setCurrent(0);
    if (deferredQuery && matches.length) showIndex(matches[0].index, true);
    // Only when the query changes: new lines arriving must not move the reader.
  }, [deferredQuery]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    follow.onScroll();
  };

  const jumpToLive = () => {
    const running = groups.find((g) => g.state === 'started');
    if (running && !isOpen(running)) setChosen((c) => ({ ...c, [running.key]: true }));
    follow.resume();
  };

  // The open group that fills the top of the view, once its header is out of sight.
  const pinned = placed.groups.find(({ group, top, open }) => open && scrollTop > top + HEADER_PX && scrollTop < top + HEADER_PX + group.count * LINE_PX)?.group ?? null;
  const rows = rowsBetween(placed, Math.max(0, scrollTop - OVERSCAN_PX), scrollTop + viewport + OVERSCAN_PX);
  const height = Math.min(MAX_HEIGHT_PX, placed.height + 2);
  const currentMatch = matches[current] ?? null;
  const targetIndex = target !== null ? target - (firstKeptN(view.lines) ?? 1) : null;
  const q = deferredQuery.length;

  const waiting = waitingNote(view, now);
  const noteFor = (g: LogGroup) => (g.stage === 'generate' ? waiting : null);

  return (
    <div className="relative overflow-hidden rounded-lg border border-line bg-sunken">
      <BuildLogToolbar
        query={query}
        onQuery={setQuery}
        count={matches.length}
        capped={capped}
        current={matches.length ? current + 1 : 0}
        onNext={() => goTo(current + 1)}
        onPrevious={() => goTo(current - 1)}
        download={view.build ? `/api/projects/${encodeURIComponent(view.build.projectId)}/builds/${encodeURIComponent(view.build.id)}/log` : null}
        dropped={view.lines.dropped}
      />
      <div
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label="Build log"
        style={{ height }}
        className="relative overflow-auto overscroll-contain font-mono text-xs leading-5"
      >
        {pinned ? <PinnedGroupLabel group={pinned} /> : null}
        <div data-testid="build-log" data-lines={lines.size} className="relative w-max min-w-full" style={{ height: placed.height }}>
          <div style={{ transform: `translateY(${rows[0]?.top ?? 0}px)` }}>
            {groupRuns(rows).map((run) =>
              run.kind === 'header' ? (
                <LogGroupHeader
                  key={`h-${run.group.key}`}
                  group={run.group}
                  open={isOpen(run.group)}
                  now={now}
                  note={noteFor(run.group)}
                  onToggle={() => setChosen((c) => ({ ...c, [run.group.key]: !isOpen(run.group) }))}
                />
              ) : (
                <ol key={`l-${run.group.key}-${run.indexes[0]}`} aria-label={`${groupName(run.group)} lines`}>
                  {run.indexes.map((index) => {
                    const line = lines.at(index)!;
                    const marks = q ? matchesOn(matches, index).map((m) => ({ from: m.from, to: m.from + q, current: currentMatch?.index === index && currentMatch.from === m.from })) : [];
                    return <LogLineRow key={line.n} line={line} startedAt={startedAt} marks={marks} target={targetIndex === index} />;
                  })}
                </ol>
              ),
            )}
          </div>
        </div>
      </div>
      {live && follow.paused ? (
        <button
          type="button"
          onClick={jumpToLive}
          className="absolute right-3 bottom-3 inline-flex items-center gap-1.5 rounded-full border border-accent/40 bg-surface px-3 py-1 text-xs font-medium text-accent shadow-sm hover:bg-accent hover:text-accent-ink"
        >
          <ArrowDown aria-hidden className="size-3.5" />
          Jump to live
        </button>
      ) : null}
    </div>
  );
}

type Run = { kind: 'header'; group: LogGroup } | { kind: 'lines'; group: LogGroup; indexes: number[] };

/** Consecutive line rows of one group become one list under their header. */
function groupRuns(rows: ReturnType<typeof rowsBetween>): Run[] {
  const runs: Run[] = [];
  for (const row of rows) {
    const last = runs.at(-1);
    if (row.kind === 'header') runs.push({ kind: 'header', group: row.group });
    else if (last?.kind === 'lines' && last.group === row.group) last.indexes.push(row.index);
    else runs.push({ kind: 'lines', group: row.group, indexes: [row.index] });
  }
  return runs;
}


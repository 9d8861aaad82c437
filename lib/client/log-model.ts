import { STAGES, type Stage } from '../protocol/build';
import type { BuildView, StageTime, StageView } from './build-view';
import { bookSize, lineAt, type LogLine } from './log-book';
import { openLine } from './build-view';
import { styledSegments, type AnsiStyle } from './ansi';

// The log as the page lays it out: one group per stage (and one for lines before the first stage), each
// a contiguous run of lines, since stages only ever move forward. Lines are addressed by their index in
// the whole log as shown (the kept lines, then the model's open line); a group is a range of indexes.

export type LogGroup = {
  key: string;
  stage: Stage | null;
  state: StageView | 'none';
  time: StageTime;
  /** Index of the group's first line, and how many it has. */
  from: number;
  count: number;
};

export type LogLines = { size: number; at(i: number): LogLine | undefined };

/** Every line on show, the model's unfinished line last. */
export function logLines(view: BuildView): LogLines {
  const kept = bookSize(view.lines);
  const open = openLine(view);
  return { size: kept + (open ? 1 : 0), at: (i) => (i < kept ? lineAt(view.lines, i) : i === kept ? (open ?? undefined) : undefined) };
}

const order = (stage: Stage | null) => (stage === null ? -1 : STAGES.indexOf(stage));

/** The first index whose line belongs to a stage at or after `rank` (lines are sorted by stage). */
function lowerBound(lines: LogLines, rank: number): number {
  let lo = 0;
  let hi = lines.size;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (order(lines.at(mid)!.stage) < rank) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function logGroups(view: BuildView, lines: LogLines = logLines(view)): LogGroup[] {
  const groups: LogGroup[] = [];
  const setup = lowerBound(lines, 0);
  if (setup > 0) groups.push({ key: 'setup', stage: null, state: 'none', time: { startedAt: view.build?.createdAt ?? null, endedAt: null }, from: 0, count: setup });
  STAGES.forEach((stage, rank) => {
    const from = lowerBound(lines, rank);
    const to = lowerBound(lines, rank + 1);
    groups.push({ key: stage, stage, state: view.stages[stage], time: view.stageTimes[stage], from, count: to - from });
  });
  return groups;
}

/**
 * Whether a group shows its lines when the reader has not chosen: the running stage and a failed one
 * open; a finished stage closes once a later one has started; the last stage that ran stays open.
 */
export function openByDefault(groups: LogGroup[], g: LogGroup): boolean {
  // 'cancelled' comes with the protocol's StageState (issue 11); compared as a string until StageView has it.
  if (g.state === 'started' || g.state === 'failed' || (g.state as string) === 'cancelled') return true;
  const later = groups.slice(groups.indexOf(g) + 1).some((o) => o.state !== 'pending' && o.state !== 'none');
  return !later && g.count > 0;
}

export type Match = { index: number; from: number };
export const MAX_MATCHES = 10_000;

/** Every place `query` occurs (case-insensitive) in the lines, in order, up to MAX_MATCHES. */
export function findMatches(lines: LogLines, query: string): { matches: Match[]; capped: boolean } {
  const q = query.toLowerCase();
  const matches: Match[] = [];
  if (!q) return { matches, capped: false };
  for (let i = 0; i < lines.size; i++) {
    const text = lines.at(i)!.text.toLowerCase();
    for (let from = text.indexOf(q); from !== -1; from = text.indexOf(q, from + q.length)) {
      if (matches.length === MAX_MATCHES) return { matches, capped: true };
      matches.push({ index: i, from });
    }
  }
  return { matches, capped: false };
}

/** The group an index falls in. */
export const groupOf = (groups: LogGroup[], index: number) => groups.find((g) => index >= g.from && index < g.from + g.count) ?? null;

// Fixed heights make the layout arithmetic: no row is measured, so 100,000 lines cost nothing to place.
export const LINE_PX = 20;
export const HEADER_PX = 32;

export type Row = { kind: 'header'; group: LogGroup; top: number } | { kind: 'line'; group: LogGroup; index: number; top: number };

export type Layout = { groups: { group: LogGroup; top: number; open: boolean }[]; height: number };

export function layout(groups: LogGroup[], isOpen: (g: LogGroup) => boolean): Layout {
  let top = 0;
  const placed = groups.map((group) => {
    const open = isOpen(group);
    const at = top;
    top += HEADER_PX + (open ? group.count * LINE_PX : 0);
    return { group, top: at, open };
  });
  return { groups: placed, height: top };
}

/** The rows that intersect [from, to) pixels, in order. */
export function rowsBetween(l: Layout, from: number, to: number): Row[] {
  const rows: Row[] = [];
  for (const { group, top, open } of l.groups) {
    const end = top + HEADER_PX + (open ? group.count * LINE_PX : 0);
    if (end <= from || top >= to) continue;
    if (top + HEADER_PX > from) rows.push({ kind: 'header', group, top });
    if (!open || !group.count) continue;
    const linesTop = top + HEADER_PX;
    const first = Math.max(0, Math.floor((from - linesTop) / LINE_PX));
    const last = Math.min(group.count, Math.ceil((to - linesTop) / LINE_PX));
    for (let k = first; k < last; k++) rows.push({ kind: 'line', group, index: group.from + k, top: linesTop + k * LINE_PX });
  }
  return rows;
}

/** Where line `index` sits (its group must be open), or null. */
export function lineTop(l: Layout, index: number): number | null {
  const placed = l.groups.find(({ group }) => index >= group.from && index < group.from + group.count);
  if (!placed || !placed.open) return null;
  return placed.top + HEADER_PX + (index - placed.group.from) * LINE_PX;
}

/**
 * "Waiting for the model… 12 s" while the generate stage runs and no text has come yet (issue 11 point 6:
 * a model that accepts the request and sends nothing must not look like a hang); null otherwise.
 */
export function waitingNote(view: BuildView, now: number): string | null {
  const startedAt = view.stageTimes.generate.startedAt;
  if (view.stages.generate !== 'started' || view.done || view.outputChars > 0 || view.stats?.firstTokenMs != null || startedAt === null) return null;
  return `Waiting for the model… ${Math.floor(Math.max(0, now - startedAt) / 1000)} s`;
}

/** "+12.3s" from the build's start: short enough for a gutter. */
export function offsetLabel(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}`;
}

/** The matches on line `index` (matches are sorted by index), by binary search. */
export function matchesOn(matches: Match[], index: number): Match[] {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (matches[mid].index < index) lo = mid + 1;
    else hi = mid;
  }
  const out: Match[] = [];
  for (let i = lo; i < matches.length && matches[i].index === index; i++) out.push(matches[i]);
  return out;
}

export type Piece = { text: string; style: AnsiStyle; mark: 'none' | 'match' | 'current' };

/** A line's styled segments cut further where search matches begin and end. */
export function markedPieces(line: LogLine, marks: { from: number; to: number; current: boolean }[]): Piece[] {
  const pieces: Piece[] = [];
  for (const seg of styledSegments(line)) {
    const segEnd = seg.from + seg.text.length;
    let at = seg.from;
    for (const m of marks) {
      if (m.to <= at || m.from >= segEnd) continue;
      if (m.from > at) pieces.push({ text: line.text.slice(at, m.from), style: seg.style, mark: 'none' });
      const to = Math.min(m.to, segEnd);
      pieces.push({ text: line.text.slice(Math.max(at, m.from), to), style: seg.style, mark: m.current ? 'current' : 'match' });
      at = to;
    }
    if (at < segEnd) pieces.push({ text: line.text.slice(at, segEnd), style: seg.style, mark: 'none' });
  }
  return pieces;
}

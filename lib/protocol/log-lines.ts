import type { BuildEvent, Stage } from './build';

// A build's log as lines, the one way both the page and the raw download (GET …/builds/:id/log) cut it,
// so that line 123 on screen (`#L123`) is line 123 of the downloaded file. `log` events are lines of
// their own; the model's `output` arrives in pieces that do not respect lines, so it is joined and cut at
// each newline. No Node imports: the browser folds with it too.

export type LogSource = 'log' | 'output';
export type LogLevel = 'info' | 'warn' | 'error';

export type RawLogLine = {
  /** 1-based, over the whole build, in the order lines are completed. */
  n: number;
  /** The event the line began in, and its time. */
  seq: number;
  at: number;
  /** The stage that was running (or last ran) when the line began; null before the first stage. */
  stage: Stage | null;
  level: LogLevel;
  source: LogSource;
  /** As sent, ANSI escapes included. */
  text: string;
};

export type LineCutter = {
  stage: Stage | null;
  /** The model's line still being written (no newline yet). */
  open: Omit<RawLogLine, 'n'> | null;
  /** Characters of the open line past `maxLineChars`, dropped. */
  openCut: number;
  /** Lines completed so far. */
  count: number;
};

export const newCutter = (): LineCutter => ({ stage: null, open: null, openCut: 0, count: 0 });

/**
 * Folds one event into the cutter, calling `emit` for each line it completes. A line longer than
 * `maxLineChars` keeps its start and says how much was cut: a model that never sends a newline cannot
 * grow one line without bound. Returns the new cutter (the old one is not changed).
 */
export function cutLines(cutter: LineCutter, e: BuildEvent, emit: (line: RawLogLine) => void, maxLineChars = Infinity): LineCutter {
  let { stage, open, openCut, count } = cutter;
  const close = () => {
    if (!open) return;
    const text = open.text.replace(/\r$/, '');
    emit({ ...open, n: ++count, text: openCut ? `${text}… (${openCut} more characters)` : text });
    open = null;
    openCut = 0;
  };
  switch (e.type) {
    case 'output': {
      const pieces = e.text.split('\n');
      const fresh = () => ({ seq: e.seq, at: e.at, stage, level: 'info' as const, source: 'output' as const, text: '' });
      pieces.forEach((piece, i) => {
        // Each newline ends the line before it, an empty one included.
        if (i > 0) {
          open ??= fresh();
          close();
        }
        if (!piece) return;
        open ??= fresh();
        const room = Math.max(0, maxLineChars - open.text.length);
        open = { ...open, text: open.text + piece.slice(0, room) };
        openCut += Math.max(0, piece.length - room);
      });
      break;
    }
    case 'log':
      close();
      for (const text of e.text.split('\n')) {
        const cut = text.length > maxLineChars ? `${text.slice(0, maxLineChars)}… (${text.length - maxLineChars} more characters)` : text;
        emit({ n: ++count, seq: e.seq, at: e.at, stage, level: e.level, source: 'log', text: cut.replace(/\r$/, '') });
      }
      break;
    case 'stage':
      close();
      if (e.state === 'started') stage = e.stage;
      break;
    case 'done':
      close();
      break;
    default:
      break;
  }
  return { stage, open, openCut, count };
}

/** Every line of a whole build's events, the open one included (a build that stopped mid-line). */
export function logLinesOf(events: Iterable<BuildEvent>, maxLineChars = Infinity): RawLogLine[] {
  const lines: RawLogLine[] = [];
  let cutter = newCutter();
  for (const e of events) cutter = cutLines(cutter, e, (l) => lines.push(l), maxLineChars);
  if (cutter.open) lines.push({ ...cutter.open, n: cutter.count + 1 });
  return lines;
}

/** One line of the raw log file: ISO time, stage, level and text, tab-separated. */
export function rawLogLine(line: RawLogLine): string {
  return `${new Date(line.at).toISOString()}\t${line.stage ?? '-'}\t${line.source === 'output' ? 'model' : line.level}\t${line.text}`;
}

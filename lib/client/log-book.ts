import type { RawLogLine } from '../protocol/log-lines';
import { parseAnsi, type StyleRun } from './ansi';

// The lines of one build's log as the page keeps them: up to MAX_LOG_LINES lines and MAX_LOG_CHARS
// characters, the oldest dropped first. Appending must stay cheap at 100,000 lines, so a book shares one
// append-only array with the books it was made from (like a Go slice): each book reads only its own
// [start, end) window, and an append to a book that is not the newest copies first, so an older view
// never sees lines that came after it.

/** A line as shown: ANSI escapes turned into style runs over the plain text. */
export type LogLine = Omit<RawLogLine, 'text'> & { text: string; runs: StyleRun[] };

export type LogBook = {
  readonly store: LogLine[];
  readonly start: number;
  readonly end: number;
  /** Characters held (sum of the kept lines' lengths). */
  readonly chars: number;
  /** Lines dropped from the front to stay under the caps. */
  readonly dropped: number;
};

export const MAX_LOG_LINES = 100_000;
// A line longer than this shows its start and how much was cut (the raw download has it whole); with
// the total below it bounds the tab's memory at about 32 MB of text whatever the build prints.
export const MAX_LINE_CHARS = 2_000;
export const MAX_LOG_CHARS = 16_000_000;

export const emptyBook = (): LogBook => ({ store: [], start: 0, end: 0, chars: 0, dropped: 0 });

export const bookSize = (b: LogBook) => b.end - b.start;
export const lineAt = (b: LogBook, i: number): LogLine | undefined => (i >= 0 && i < b.end - b.start ? b.store[b.start + i] : undefined);
/** The number (`n`) of the first line still kept, or null for an empty book. */
export const firstKeptN = (b: LogBook): number | null => (b.end > b.start ? b.store[b.start].n : null);

export function toLogLine(raw: RawLogLine): LogLine {
  const { text, runs } = parseAnsi(raw.text);
  return { ...raw, text, runs };
}

export function appendLines(book: LogBook, lines: LogLine[]): LogBook {
  if (!lines.length) return book;
  let store = book.store;
  let { start, end, chars, dropped } = book;
  if (end !== store.length) {
    // Not the newest book of this store: its own copy, so the newer one is untouched.
    store = store.slice(start, end);
    end -= start;
    start = 0;
  }
  for (const l of lines) {
    store.push(l);
    end++;
    chars += l.text.length;
  }
  while (end - start > MAX_LOG_LINES || (chars > MAX_LOG_CHARS && end - start > 1)) {
    chars -= store[start].text.length;
    start++;
    dropped++;
  }
  // Drop the dead front now and then, so the array does not keep every line ever printed.
  if (start > 20_000 && start > end - start) {
    store = store.slice(start, end);
    end -= start;
    start = 0;
  }
  return { store, start, end, chars, dropped };
}

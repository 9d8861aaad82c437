// Reads the model's text as it streams and tells which file it is writing and how far it got, from the
// `--- file: <path>` / `--- end` lines of the reply format (providers/file-blocks.ts). Bounded whatever the
// model sends: it keeps only the start of the current line, reports a file at most every
// MIN_INTERVAL_MS while it grows, and stops reporting after MAX_REPORTED_FILES files.

export type FileProgress = { path: string; bytes: number; state: 'streaming' | 'complete' };

const MIN_INTERVAL_MS = 250;
const MAX_REPORTED_FILES = 100;
// Enough of a line to recognise a marker and read a path (paths are at most 200 characters).
const MAX_LINE_KEPT = 256;
const OPEN = /^--- file:\s*(.+?)\s*$/;
const END = /^--- end\s*$/;

export function createFileProgress(report: (p: FileProgress) => void, now: () => number = Date.now) {
  let line = '';
  let lineBytes = 0;
  let current: { path: string; bytes: number; reportedAt: number } | null = null;
  let files = 0;

  const send = (state: FileProgress['state']) => {
    if (!current || files > MAX_REPORTED_FILES) return;
    current.reportedAt = now();
    report({ path: current.path, bytes: current.bytes + (state === 'streaming' ? lineBytes : 0), state });
  };

  function endOfLine() {
    const open = OPEN.exec(line);
    if (open && lineBytes <= MAX_LINE_KEPT) {
      if (current) send('complete');
      files++;
      current = { path: open[1].slice(0, 200), bytes: 0, reportedAt: 0 };
      send('streaming');
    } else if (current && END.test(line) && lineBytes <= MAX_LINE_KEPT) {
      send('complete');
      current = null;
    } else if (current) {
      current.bytes += lineBytes + 1;
    }
    line = '';
    lineBytes = 0;
  }

  return {
    push(text: string) {
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        take(text.slice(start, nl));
        endOfLine();
        start = nl + 1;
      }
      take(text.slice(start));
      if (current && now() - current.reportedAt >= MIN_INTERVAL_MS) send('streaming');
    },
    /** The stream ended: a block left open is reported as far as it got (no `complete`: it never closed). */
    end() {
      if (lineBytes) endOfLine();
    },
  };

  function take(piece: string) {
    if (!piece) return;
    if (line.length < MAX_LINE_KEPT) line += piece.slice(0, MAX_LINE_KEPT - line.length);
    lineBytes += Buffer.byteLength(piece);
  }
}

import { Writable } from 'node:stream';

/** A pino destination that keeps every line, so a test can read what the server logged. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(line);
      cb();
    },
  });
  return {
    stream,
    lines,
    parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

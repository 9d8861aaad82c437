import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LINE_CHARS, MAX_LOG_CHARS, appendLines, bookSize, emptyBook, firstKeptN, lineAt, type LogLine } from './log-book';

const line = (n: number, text: string): LogLine => ({ n, seq: n, at: n, stage: 'generate', level: 'info', source: 'output', text, runs: [] });

test('the book drops its oldest lines once it holds MAX_LOG_CHARS characters, and counts them', () => {
  const long = 'x'.repeat(MAX_LINE_CHARS);
  const count = MAX_LOG_CHARS / MAX_LINE_CHARS + 100;
  let book = emptyBook();
  for (let n = 1; n <= count; n++) book = appendLines(book, [line(n, long)]);
  assert.ok(book.chars <= MAX_LOG_CHARS);
  assert.equal(book.dropped, 100);
  assert.equal(firstKeptN(book), 101);
  assert.equal(lineAt(book, bookSize(book) - 1)!.n, count);
});

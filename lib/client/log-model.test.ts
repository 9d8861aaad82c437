import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HEADER_PX, LINE_PX, layout, lineTop, markedPieces, matchesOn, rowsBetween, type LogGroup } from './log-model';
import { parseAnsi } from './ansi';
import type { LogLine } from './log-book';

const group = (key: string, from: number, count: number): LogGroup => ({ key, stage: null, state: 'done', time: { startedAt: null, endedAt: null }, from, count });

describe('the virtual layout', () => {
  const groups = [group('plan', 0, 2), group('generate', 2, 100_000), group('write', 100_002, 3)];
  const placed = layout(groups, (g) => g.key !== 'plan');

  test('places a closed group as its header alone and an open one as header and lines', () => {
    assert.deepEqual(placed.groups.map((g) => g.top), [0, HEADER_PX, 2 * HEADER_PX + 100_000 * LINE_PX]);
    assert.equal(placed.height, 3 * HEADER_PX + 100_003 * LINE_PX);
  });

  test('gives only the rows that intersect the window, wherever it is in 100,000 lines', () => {
    const from = 2 * HEADER_PX + 50_000 * LINE_PX;
    const rows = rowsBetween(placed, from, from + 10 * LINE_PX);
    assert.equal(rows.length, 10);
    assert.deepEqual(rows.map((r) => (r.kind === 'line' ? r.index : -1)), Array.from({ length: 10 }, (_, i) => 50_002 + i));
    assert.equal(rows[0].top, from);
  });

  test('knows where a line sits, and that a line of a closed group has no place', () => {
    assert.equal(lineTop(placed, 2), 2 * HEADER_PX);
    assert.equal(lineTop(placed, 1), null);
  });
});

describe('search marks', () => {
  test('a match is found by line, and cut into the line around its colours', () => {
    const matches = [{ index: 1, from: 0 }, { index: 3, from: 2 }, { index: 3, from: 9 }, { index: 7, from: 0 }];
    assert.deepEqual(matchesOn(matches, 3), [{ index: 3, from: 2 }, { index: 3, from: 9 }]);
    const { text, runs } = parseAnsi('ab\x1b[31mcdef\x1b[0mgh');
    const line = { n: 1, seq: 1, at: 0, stage: null, level: 'info', source: 'log', text, runs } satisfies LogLine;
    const pieces = markedPieces(line, [{ from: 1, to: 4, current: true }]);
    assert.deepEqual(pieces.map((p) => [p.text, p.style.fg, p.mark]), [
      ['a', null, 'none'],
      ['b', null, 'current'],
      ['cd', 31, 'current'],
      ['ef', 31, 'none'],
      ['gh', null, 'none'],
    ]);
  });
});

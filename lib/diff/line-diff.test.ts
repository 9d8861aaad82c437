import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DIFF_CELLS, diffLines, splitLines, unifiedDiff } from './line-diff';

const lines = (n: number, f = (i: number) => `line ${i}`) => Array.from({ length: n }, (_, i) => f(i + 1));
const text = (ls: string[]) => ls.map((l) => `${l}\n`).join('');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n'), '');
  });

  it('shows one changed line with three lines of context and git-style ranges', () => {
    const before = lines(10);
    const after = [...before];
    after[4] = 'line five';
    assert.equal(unifiedDiff(text(before), text(after)), ['@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'));
  });

  it('makes two hunks of changes far apart and one of changes close together', () => {
    const before = lines(30);
    const far = [...before];
    far[1] = 'x';
    far[25] = 'y';
    assert.equal((unifiedDiff(text(before), text(far)) ?? '').match(/^@@/gm)?.length, 2);
    const near = [...before];
    near[1] = 'x';
    near[7] = 'y';
    const diff = unifiedDiff(text(before), text(near)) ?? '';
    assert.equal(diff.match(/^@@/gm)?.length, 1);
    assert.match(diff, /^@@ -1,11 \+1,11 @@$/m);
  });

  it('numbers each hunk from where it starts in both files', () => {
    const before = lines(30);
    const after = [...before.slice(0, 2), 'new', ...before.slice(2, 25), ...before.slice(26)];
    const diff = unifiedDiff(text(before), text(after)) ?? '';
    assert.match(diff, /^@@ -1,5 \+1,6 @@$/m);
    assert.match(diff, /^@@ -23,7 \+24,6 @@$/m);
  });

  it('diffs an added file and a removed one whole', () => {
    assert.equal(unifiedDiff('', 'a\nb\n'), '@@ -0,0 +1,2 @@\n+a\n+b\n');
    assert.equal(unifiedDiff('a\n', ''), '@@ -1 +0,0 @@\n-a\n');
  });

  it('refuses past the cell bound instead of spending the memory', () => {
    const side = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 1;
    assert.equal(unifiedDiff(text(lines(side, (i) => `a${i}`)), text(lines(side, (i) => `b${i}`))), null);
    // A large file with one change still diffs: the common head and tail cost nothing.
    const big = lines(50_000);
    const changed = [...big];
    changed[25_000] = 'changed';
    assert.match(unifiedDiff(text(big), text(changed)) ?? '', /^\+changed$/m);
  });
});

describe('diffLines', () => {
  it('keeps every line of both sides in order', () => {
    const a = splitLines('a\nb\nc\nd\n');
    const b = splitLines('a\nc\nx\nd\ny\n');
    const ops = diffLines(a, b)!;
    assert.deepEqual(ops.filter((o) => o.kind !== '+').map((o) => o.text), a);
    assert.deepEqual(ops.filter((o) => o.kind !== '-').map((o) => o.text), b);
    assert.equal(ops.filter((o) => o.kind === ' ').length, 3);
  });
});

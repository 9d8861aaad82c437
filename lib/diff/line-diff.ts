// A line diff for the build page's "Changes" (issue 11, point 9): the longest common subsequence of
// the two files' lines, printed as a unified diff with three lines of context, like `git diff`.
//
// LCS by dynamic programming costs (changed lines of a) × (changed lines of b) cells, so the common head
// and tail are cut off first (a build usually changes a few places of a file) and the rest is refused
// past MAX_DIFF_CELLS: 2,000,000 cells of 4 bytes, 8 MB for one request at most, about 1,400 changed
// lines on each side. Past it the caller says "too large to diff" instead of spending the memory.

export const MAX_DIFF_CELLS = 2_000_000;
const CONTEXT = 3;

export type DiffOp = { kind: ' ' | '-' | '+'; text: string };

/** Splits text into lines the way diff does: a final newline ends the last line, it does not add one. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Every line of a and b, each kept (' '), removed ('-') or added ('+'); null past MAX_DIFF_CELLS. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] | null {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const n = x.length;
  const m = y.length;
  if ((n + 1) * (m + 1) > MAX_DIFF_CELLS) return null;

  // lcs[i*(m+1)+j]: length of the LCS of x[i..] and y[j..].
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }

  const ops: DiffOp[] = a.slice(0, head).map((text) => ({ kind: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ kind: ' ', text: x[i] });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      ops.push({ kind: '-', text: x[i++] });
    } else {
      ops.push({ kind: '+', text: y[j++] });
    }
  }
  for (const text of a.slice(a.length - tail)) ops.push({ kind: ' ', text });
  return ops;
}

/**
 * The unified diff of two texts (hunks only, no file header); '' when they are equal, null when too
 * large to diff.
 */
export function unifiedDiff(before: string, after: string): string | null {
  const ops = diffLines(splitLines(before), splitLines(after));
  if (!ops) return null;
  const out: string[] = [];
  let k = 0;
  // Line numbers (1-based) in a and b of ops[k].
  let lineA = 1;
  let lineB = 1;
  while (k < ops.length) {
    if (ops[k].kind === ' ') {
      lineA++;
      lineB++;
      k++;
      continue;
    }
    // A change at k: the hunk starts CONTEXT lines before it and runs until CONTEXT*2 unchanged lines
    // in a row separate it from the next change (then the next change gets a hunk of its own).
    const back = Math.min(CONTEXT, countBackUnchanged(ops, k));
    const first = k - back;
    const startA = lineA - back;
    const startB = lineB - back;
    let end = k;
    let a = lineA;
    let b = lineB;
    let quiet = 0;
    while (end < ops.length) {
      const op = ops[end];
      if (op.kind === ' ') {
        if (quiet === CONTEXT * 2) break;
        quiet++;
      } else {
        quiet = 0;
      }
      if (op.kind !== '+') a++;
      if (op.kind !== '-') b++;
      end++;
    }
    // Of the unchanged run the hunk ends on, only CONTEXT lines belong to it.
    const trailing = Math.max(0, quiet - CONTEXT);
    const stop = end - trailing;
    const hunk = ops.slice(first, stop);
    const sizeA = hunk.filter((o) => o.kind !== '+').length;
    const sizeB = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(startA, sizeA)} +${range(startB, sizeB)} @@`);
    for (const op of hunk) out.push(op.kind + op.text);
    lineA = a - trailing;
    lineB = b - trailing;
    k = stop;
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function countBackUnchanged(ops: DiffOp[], k: number): number {
  let n = 0;
  while (k - n - 1 >= 0 && ops[k - n - 1].kind === ' ') n++;
  return n;
}

// As diff prints it: an empty range is shown at the line before it ("-0,0" for an empty file).
function range(start: number, size: number): string {
  if (size === 0) return `${start - 1},0`;
  return size === 1 ? `${start}` : `${start},${size}`;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFileProgress, type FileProgress } from './file-progress';

function tracker() {
  let clock = 0;
  const seen: FileProgress[] = [];
  const p = createFileProgress((e) => seen.push(e), () => clock);
  return { p, seen, tick: (ms: number) => (clock += ms) };
}

test('reports each file as it opens, grows and closes, whatever the chunking', () => {
  const text = 'Here you go.\n--- file: index.html\n<h1>Hi</h1>\n--- end\n--- file: app.js\nlet a = 1;\nlet b = 2;\n--- end\n';
  for (const size of [1, 3, 7, 1000]) {
    const { p, seen } = tracker();
    for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
    p.end();
    const done = seen.filter((e) => e.state === 'complete');
    assert.deepEqual(done, [
      { path: 'index.html', bytes: 12, state: 'complete' },
      { path: 'app.js', bytes: 22, state: 'complete' },
    ], `chunks of ${size}`);
    assert.deepEqual(seen.filter((e) => e.state === 'streaming').map((e) => e.path).filter((v, i, a) => a.indexOf(v) === i), ['index.html', 'app.js']);
  }
});

test('a growing file is reported at most four times a second, never once per token', () => {
  const { p, seen, tick } = tracker();
  p.push('--- file: big.js\n');
  for (let i = 0; i < 1000; i++) {
    p.push('x = 1;\n');
    tick(10); // 1000 tokens over 10 s
  }
  p.push('--- end\n');
  const streaming = seen.filter((e) => e.state === 'streaming');
  assert.ok(streaming.length <= 41, `${streaming.length} updates in 10 s`);
  assert.ok(streaming.length >= 30, 'but it does report while it grows');
  const sizes = streaming.map((e) => e.bytes);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b), 'bytes only grow');
  assert.deepEqual(seen.at(-1), { path: 'big.js', bytes: 7000, state: 'complete' });
});

test('an endless line is counted, not kept, and text outside a block reports nothing', () => {
  const { p, seen } = tracker();
  p.push('no markers here\n'.repeat(100));
  assert.equal(seen.length, 0);
  p.push('--- file: a.txt\n');
  for (let i = 0; i < 1000; i++) p.push('y'.repeat(1000));
  p.push('\n--- end\n');
  assert.deepEqual(seen.at(-1), { path: 'a.txt', bytes: 1_000_001, state: 'complete' });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logLinesOf, rawLogLine } from './log-lines';
import type { BuildEvent, BuildEventBody } from './build';

let seq = 0;
const ev = (body: BuildEventBody): BuildEvent => ({ v: 1, buildId: 'b1', seq: ++seq, at: Date.UTC(2026, 10, 30, 12, 0, 0) + seq * 1000, ...body }) as BuildEvent;

describe('logLinesOf', () => {
  test('cuts the model text at newlines whatever the pieces, and numbers lines across log and output', () => {
    seq = 0;
    const lines = logLinesOf([
      ev({ type: 'stage', stage: 'plan', state: 'started' }),
      ev({ type: 'log', level: 'info', text: 'Prompt: a clock' }),
      ev({ type: 'stage', stage: 'generate', state: 'started' }),
      ev({ type: 'output', text: 'first li' }),
      ev({ type: 'output', text: 'ne\r\nsecond\n\nfou' }),
      ev({ type: 'output', text: 'rth\n' }),
      ev({ type: 'log', level: 'warn', text: 'slow model' }),
      ev({ type: 'output', text: 'unfinished' }),
    ]);
    assert.deepEqual(
      lines.map((l) => [l.n, l.stage, l.source, l.text]),
      [
        [1, 'plan', 'log', 'Prompt: a clock'],
        [2, 'generate', 'output', 'first line'],
        [3, 'generate', 'output', 'second'],
        [4, 'generate', 'output', ''],
        [5, 'generate', 'output', 'fourth'],
        [6, 'generate', 'log', 'slow model'],
        [7, 'generate', 'output', 'unfinished'],
      ],
    );
    // A line's time is when it began.
    assert.equal(lines[1].seq, 4);
  });

  test('a line past the cap keeps its start and says how much was cut', () => {
    seq = 0;
    const [line] = logLinesOf([ev({ type: 'output', text: 'x'.repeat(30) }), ev({ type: 'output', text: 'y'.repeat(30) + '\n' })], 40);
    assert.equal(line.text, `${'x'.repeat(30)}${'y'.repeat(10)}… (20 more characters)`);
  });

  test('lines before the first stage have no stage; a stage that ended keeps its later lines', () => {
    seq = 0;
    const lines = logLinesOf([ev({ type: 'log', level: 'info', text: 'queued' }), ev({ type: 'stage', stage: 'plan', state: 'started' }), ev({ type: 'stage', stage: 'plan', state: 'done' }), ev({ type: 'log', level: 'error', text: 'boom' })]);
    assert.deepEqual(lines.map((l) => l.stage), [null, 'plan']);
  });
});

test('rawLogLine: ISO time, stage, level or "model", text', () => {
  seq = 0;
  const [a, b] = logLinesOf([ev({ type: 'stage', stage: 'generate', state: 'started' }), ev({ type: 'log', level: 'warn', text: 'w' }), ev({ type: 'output', text: 'code\n' })]);
  assert.equal(rawLogLine(a), '2026-11-30T12:00:02.000Z\tgenerate\twarn\tw');
  assert.equal(rawLogLine(b), '2026-11-30T12:00:03.000Z\tgenerate\tmodel\tcode');
});

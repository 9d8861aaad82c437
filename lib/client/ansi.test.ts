import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAnsi, styledSegments } from './ansi';

describe('parseAnsi', () => {
  test('a line without escapes is itself, with no runs', () => {
    assert.deepEqual(parseAnsi('plain text'), { text: 'plain text', runs: [] });
  });

  test('colours, bold and reset become runs over the plain text', () => {
    const line = parseAnsi('\x1b[31merror\x1b[0m: \x1b[1;92mok\x1b[22m still green\x1b[39m plain');
    assert.equal(line.text, 'error: ok still green plain');
    assert.deepEqual(
      styledSegments(line).map((s) => [s.text, s.style.fg, s.style.bold]),
      [
        ['error', 31, false],
        [': ', null, false],
        ['ok', 92, true],
        [' still green', 92, false],
        [' plain', null, false],
      ],
    );
  });

  test('other escapes are stripped: cursor moves, backgrounds, 256 colours, titles, a stray ESC', () => {
    const line = parseAnsi('\x1b[2K\x1b[1Gdone\x1b[44m!\x1b[38;5;208m?\x1b]0;title\x07\x1b(B end\x1b');
    assert.equal(line.text, 'done!? end');
    assert.deepEqual(line.runs, []);
  });

  test('ESC[m alone is a reset', () => {
    const line = parseAnsi('\x1b[33mwarn\x1b[m tail');
    assert.deepEqual(styledSegments(line).map((s) => [s.text, s.style.fg]), [['warn', 33], [' tail', null]]);
  });
});

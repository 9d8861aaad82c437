import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEscapeChord, ESCAPE_TWICE_MS, type ChordKey } from './vnc-focus';

const key = (k: string, mods: Partial<ChordKey> = {}): ChordKey => ({ key: k, ctrlKey: false, altKey: false, shiftKey: false, repeat: false, ...mods });

describe('createEscapeChord', () => {
  test('a single Escape reaches the VM', () => {
    assert.equal(createEscapeChord().check(key('Escape'), 0), 'pass');
  });

  test('Escape twice within the window leaves; the third starts over', () => {
    const chord = createEscapeChord();
    assert.equal(chord.check(key('Escape'), 1000), 'pass');
    assert.equal(chord.check(key('Escape'), 1000 + ESCAPE_TWICE_MS), 'leave');
    assert.equal(chord.check(key('Escape'), 1000 + ESCAPE_TWICE_MS + 10), 'pass');
  });

  test('Escape twice too slowly, or with a key between, is two Escapes for the VM', () => {
    const slow = createEscapeChord();
    assert.equal(slow.check(key('Escape'), 0), 'pass');
    assert.equal(slow.check(key('Escape'), ESCAPE_TWICE_MS + 1), 'pass');
    const between = createEscapeChord();
    assert.equal(between.check(key('Escape'), 0), 'pass');
    assert.equal(between.check(key('x'), 10), 'pass');
    assert.equal(between.check(key('Escape'), 20), 'pass');
  });

  test('a held Escape (auto-repeat) never leaves', () => {
    const chord = createEscapeChord();
    assert.equal(chord.check(key('Escape'), 0), 'pass');
    assert.equal(chord.check(key('Escape', { repeat: true }), 30), 'pass');
  });

  test('Ctrl+Alt+Shift leaves, in any order; Ctrl+Alt alone and Ctrl+Alt+Shift+T do not', () => {
    const chord = createEscapeChord();
    assert.equal(chord.check(key('Control', { ctrlKey: true }), 0), 'pass');
    assert.equal(chord.check(key('Alt', { ctrlKey: true, altKey: true }), 1), 'pass');
    assert.equal(chord.check(key('Shift', { ctrlKey: true, altKey: true, shiftKey: true }), 2), 'leave');
    assert.equal(chord.check(key('Control', { ctrlKey: true, altKey: true, shiftKey: true }), 3), 'leave');
    assert.equal(chord.check(key('T', { ctrlKey: true, altKey: true, shiftKey: true }), 4), 'pass');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fieldEdit, FILLER } from './vnc-keys-input';

describe('fieldEdit', () => {
  test('a typed character is that character', () => {
    assert.deepEqual(fieldEdit(FILLER, `${FILLER}a`), { backspaces: 0, typed: 'a' });
  });

  test('Backspace is one Backspace, eating the filler', () => {
    assert.deepEqual(fieldEdit(FILLER, FILLER.slice(1)), { backspaces: 1, typed: '' });
  });

  test('an autocorrected word is deleted back to where it differs and typed again', () => {
    assert.deepEqual(fieldEdit(`${FILLER}teh`, `${FILLER}the `), { backspaces: 2, typed: 'he ' });
  });

  test('counts code points, not UTF-16 units', () => {
    assert.deepEqual(fieldEdit(`${FILLER}😀`, FILLER), { backspaces: 1, typed: '' });
    assert.deepEqual(fieldEdit(FILLER, `${FILLER}€😀`), { backspaces: 0, typed: '€😀' });
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keysymsFor } from './keysyms';

describe('keysymsFor', () => {
  test('types ASCII and Latin-1 characters as their own keysyms', () => {
    assert.deepEqual(keysymsFor('ls -l'), [0x6c, 0x73, 0x20, 0x2d, 0x6c]);
    assert.deepEqual(keysymsFor('é'), [0xe9]);
  });

  test('presses Return for a newline, once for \\r\\n, and Tab for a tab', () => {
    assert.deepEqual(keysymsFor('a\nb\r\nc\rd\te'), [0x61, 0xff0d, 0x62, 0xff0d, 0x63, 0xff0d, 0x64, 0xff09, 0x65]);
  });

  test('uses the Unicode keysym range beyond Latin-1, one per code point', () => {
    assert.deepEqual(keysymsFor('€'), [0x010020ac]);
    assert.deepEqual(keysymsFor('😀'), [0x0101f600]);
  });

  test('drops control characters that have no key', () => {
    assert.deepEqual(keysymsFor('a\u0000\u001bb\u007f'), [0x61, 0x62]);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBytes, formatDuration } from './format-units';

describe('formatBytes', () => {
  test('exact below 1 KB', () => {
    assert.equal(formatBytes(1), '1 byte');
    assert.equal(formatBytes(1023), '1023 bytes');
  });

  test('binary steps, as the limits are set: the default upload limit reads 10 MB', () => {
    assert.equal(formatBytes(10_485_760), '10 MB');
    assert.equal(formatBytes(524_288_000), '500 MB');
    assert.equal(formatBytes(1024), '1 KB');
  });

  test('one decimal below 100 of a unit, no trailing .0, whole numbers above', () => {
    assert.equal(formatBytes(1230), '1.2 KB');
    assert.equal(formatBytes(3.2 * 1024 * 1024), '3.2 MB');
    assert.equal(formatBytes(123 * 1024 * 1024 + 5000), '123 MB');
  });

  test('a value that rounds up to a whole step moves to the next unit', () => {
    assert.equal(formatBytes(1024 * 1024 - 1), '1 MB');
    assert.equal(formatBytes(5 * 1024 ** 5), '5120 TB');
  });

  test('no number for what is not a size', () => {
    assert.equal(formatBytes(-1), '—');
    assert.equal(formatBytes(Number.NaN), '—');
  });
});

describe('formatDuration', () => {
  test('reads as seconds, minutes, hours, days', () => {
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(125), '2 min 5 s');
    assert.equal(formatDuration(3 * 3600 + 60), '3 h 1 min');
    assert.equal(formatDuration(2 * 86_400 + 3600), '2 d 1 h');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBytes, formatDuration } from './format-units';

describe('formatBytes', () => {
  test('exact below 1 KB, one decimal below 100 of a unit', () => {
    assert.equal(formatBytes(1), '1 byte');
    assert.equal(formatBytes(999), '999 bytes');
    assert.equal(formatBytes(3_200_000), '3.2 MB');
    assert.equal(formatBytes(123_456_789), '123 MB');
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

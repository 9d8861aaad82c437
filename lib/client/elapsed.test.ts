import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatElapsed, formatRunning } from './elapsed';

test('durations read as a person would say them', () => {
  assert.equal(formatElapsed(420), '0.4 s');
  assert.equal(formatElapsed(4_240), '4.2 s');
  assert.equal(formatElapsed(12_400), '12 s');
  assert.equal(formatElapsed(125_000), '2 min 5 s');
  assert.equal(formatElapsed(120_000), '2 min');
});

test('a running clock shows whole seconds', () => {
  assert.equal(formatRunning(3_900), '3 s');
  assert.equal(formatRunning(125_400), '2 min 5 s');
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { relativeTime } from './relative-time';

const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
const ago = (s: number) => NOW - s * 1000;

describe('relativeTime', () => {
  test('says "just now" for the last few seconds', () => {
    assert.equal(relativeTime(ago(3), NOW, 'en'), 'just now');
  });

  test('counts minutes, hours and days within a week', () => {
    assert.equal(relativeTime(ago(5 * 60), NOW, 'en'), '5 minutes ago');
    assert.equal(relativeTime(ago(3 * 3600), NOW, 'en'), '3 hours ago');
    assert.equal(relativeTime(ago(26 * 3600), NOW, 'en'), 'yesterday');
  });

  test('gives the date after a week, with the year only when it differs', () => {
    assert.equal(relativeTime(Date.UTC(2026, 1, 2, 12), NOW, 'en'), 'Feb 2');
    assert.equal(relativeTime(Date.UTC(2025, 1, 2, 12), NOW, 'en'), 'Feb 2, 2025');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endedSentence } from './desktop-sentence';

describe('endedSentence', () => {
  test('says the time the previous desktop ended, in the local clock', () => {
    const ended = new Date(2026, 10, 30, 10, 42).getTime();
    assert.equal(endedSentence(ended, ended + 60_000, 'en-GB'), 'This is a new desktop; the previous one ended at 10:42.');
  });

  test('adds the day when that was not today', () => {
    const ended = new Date(2026, 10, 29, 23, 5).getTime();
    assert.equal(endedSentence(ended, new Date(2026, 10, 30, 9, 0).getTime(), 'en-GB'), 'This is a new desktop; the previous one ended at 23:05 on 29 Nov.');
  });

  test('without a recorded end it still says the desktop is new', () => {
    assert.equal(endedSentence(null), 'This is a new desktop; the previous one has ended.');
  });
});

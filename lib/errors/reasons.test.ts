import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOSE_CODES } from './close-codes';
import { REASONS, isReasonKey, refusal, type ReasonKey } from './reasons';

describe('refusal reasons', () => {
  test('every reason closes with a documented code and answers HTTP with the status mapped to it', () => {
    for (const key of Object.keys(REASONS) as ReasonKey[]) {
      const entry = REASONS[key];
      assert.ok(CLOSE_CODES.some((c) => c.code === entry.code), `${key}: ${entry.code} is not in the close-code table`);
    }
    assert.deepEqual(refusal('too_many_topics'), { code: 4429, status: 429, reason: 'too_many_topics', message: 'Too many topics on one socket.' });
    assert.equal(refusal('build_running').status, 409);
    assert.equal(refusal('backend_token_required').status, 401);
    assert.equal(refusal('internal').status, 500);
  });

  test('a quota refusal still says which quota and where the user stands', () => {
    const r = refusal('build_quota', { count: 3, limit: 3, minutes: 1 });
    assert.equal(r.code, 4429);
    assert.equal(r.message, 'You started 3 of 3 builds allowed in the last hour; the next one can start in 1 minute.');
    assert.match(refusal('build_quota', { count: 5, limit: 5, minutes: 12 }).message, /in 12 minutes\.$/);
  });

  test("an account quota's sentence says which limit and where the user stands", () => {
    assert.equal(refusal('project_quota', { count: 3, limit: 3 }).message, 'You have 3 of 3 projects allowed; delete one to make another.');
    assert.equal(refusal('session_quota', { count: 1, limit: 1 }).message, 'You have 1 of 1 VM session allowed; delete one to start another.');
    assert.match(refusal('storage_quota_for_vm', { stored: '500 MB', limit: '500 MB' }).message, /^Your files take 500 MB of the 500 MB/);
    assert.equal(refusal('project_quota', { count: 3, limit: 3 }).status, 403);
  });

  test('sentences with figures carry them', () => {
    assert.equal(refusal('prompt_too_long', { max: 4000 }).message, 'The prompt is longer than 4000 characters.');
  });

  test('a reason key sent by a peer is recognised only when it is in the table', () => {
    assert.equal(isReasonKey('unknown_topic'), true);
    assert.equal(isReasonKey('toString'), false);
    assert.equal(isReasonKey(42), false);
  });
});

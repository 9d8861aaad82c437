import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIVITY_EVERY_MS, shouldReport } from './use-activity-keepalive';

test('input is reported at most once a minute', () => {
  assert.equal(shouldReport(0, ACTIVITY_EVERY_MS - 1), false);
  assert.equal(shouldReport(0, ACTIVITY_EVERY_MS), true);
  assert.equal(shouldReport(1000, 1500, 100), true);
});

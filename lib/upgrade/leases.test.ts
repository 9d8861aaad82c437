import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryLeases } from './leases';

test('leases refuse past the per-user and the global limit, and give slots back', () => {
  const l = createMemoryLeases(3, 2);
  assert.equal(l.acquire('a'), null);
  assert.equal(l.acquire('a'), null);
  assert.equal(l.acquire('a'), 'user');
  assert.equal(l.acquire('b'), null);
  assert.equal(l.acquire('c'), 'global');
  l.release('a');
  assert.equal(l.countFor('a'), 1);
  assert.equal(l.acquire('c'), null);
  l.release('zzz');
  assert.equal(l.total, 3);
});

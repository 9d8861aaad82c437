import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSocketRegistry, DRAIN_BATCH_MIN, DRAIN_GAP_MS, type OpenSocket } from './socket-registry';

function opened(registry: ReturnType<typeof createSocketRegistry>, n: number) {
  const closedAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const s: OpenSocket = {
      route: 'events',
      async close(code) {
        assert.equal(code, 1001);
        closedAt.push(Date.now());
        registry.remove(s);
      },
    };
    registry.add(s);
  }
  return closedAt;
}

test('a drain of a few sockets closes them all at once', async () => {
  const registry = createSocketRegistry();
  const closedAt = opened(registry, DRAIN_BATCH_MIN);
  await registry.closeAll(1001, 'server going away');
  assert.equal(closedAt.length, DRAIN_BATCH_MIN);
  assert.deepEqual(batchSizes(closedAt), [DRAIN_BATCH_MIN]);
  assert.equal(registry.size, 0);
});

test('a drain of many sockets closes them in batches, apart, and within a second', async () => {
  const registry = createSocketRegistry();
  const closedAt = opened(registry, 4 * DRAIN_BATCH_MIN);
  const started = Date.now();
  await registry.closeAll(1001, 'server going away');
  assert.equal(registry.size, 0);
  assert.deepEqual(batchSizes(closedAt), [DRAIN_BATCH_MIN, DRAIN_BATCH_MIN, DRAIN_BATCH_MIN, DRAIN_BATCH_MIN]);
  assert.ok(Date.now() - started < 1000);
});

/** Close times grouped where they are at least half a gap apart. */
function batchSizes(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const sizes = [1];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] - sorted[i - 1] >= DRAIN_GAP_MS / 2) sizes.push(1);
    else sizes[sizes.length - 1]++;
  }
  return sizes;
}

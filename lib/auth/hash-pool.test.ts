import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HashPoolFull, createHashPool } from './hash-pool';

describe('createHashPool', () => {
  test('runs at most `concurrency` at once and queues the rest in order', async () => {
    const pool = createHashPool(2, 10);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const jobs = Array.from({ length: 5 }, (_, i) =>
      pool.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        order.push(i);
        running--;
      }),
    );
    while (gates.length < 2) await new Promise((r) => setImmediate(r));
    assert.deepEqual(pool.busy, { running: 2, waiting: 3 });
    for (let done = 0; done < 5; done++) {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      gates.shift()!();
    }
    await Promise.all(jobs);
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  test('refuses at once when the queue is full, and a failed job frees its slot', async () => {
    const pool = createHashPool(1, 1);
    let release!: () => void;
    const first = pool.run(() => new Promise<void>((r) => (release = r)));
    const second = pool.run(async () => {
      throw new Error('boom');
    });
    await assert.rejects(pool.run(async () => undefined), HashPoolFull);
    release();
    await first;
    await assert.rejects(second, /boom/);
    assert.deepEqual(pool.busy, { running: 0, waiting: 0 });
    assert.equal(await pool.run(async () => 7), 7);
  });
});

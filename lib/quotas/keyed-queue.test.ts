import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createKeyedQueue } from './keyed-queue';

describe('createKeyedQueue', () => {
  test('runs tasks with one key one after another, so a count-then-create cannot interleave', async () => {
    const run = createKeyedQueue();
    let count = 0;
    const made: boolean[] = await Promise.all(
      Array.from({ length: 10 }, () =>
        run('alice', async () => {
          const seen = count;
          await new Promise((r) => setImmediate(r));
          if (seen >= 3) return false;
          count = seen + 1;
          return true;
        }),
      ),
    );
    assert.equal(made.filter(Boolean).length, 3);
  });

  test('a failing task does not stop the next one, and different keys do not wait for each other', async () => {
    const run = createKeyedQueue();
    let release!: () => void;
    const slow = run('alice', () => new Promise<string>((r) => (release = () => r('slow'))));
    const failed = run('alice', async () => { throw new Error('no'); });
    const after = run('alice', async () => 'after');
    assert.equal(await run('bob', async () => 'bob first'), 'bob first');
    release();
    assert.equal(await slow, 'slow');
    await assert.rejects(failed, /no/);
    assert.equal(await after, 'after');
  });
});

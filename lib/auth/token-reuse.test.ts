import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reuseTokens } from './token-reuse';

test('one token per grant for half its life; a failed signature is not kept; at most `max` grants', async () => {
  let signed = 0;
  const sign = () => Promise.resolve(`t${++signed}`);
  const reuse = reuseTokens(0.2, 2);
  assert.equal(await reuse('a', sign), 't1');
  assert.equal(await reuse('a', sign), 't1', 'the same grant shares it');
  assert.equal(await reuse('b', sign), 't2', 'another grant has its own');
  await new Promise((r) => setTimeout(r, 110));
  assert.equal(await reuse('a', sign), 't3', 'past half its life a new one is signed');
  await assert.rejects(reuse('c', () => Promise.reject(new Error('no key'))));
  assert.equal(await reuse('c', sign), 't4', 'a failed signature is tried again, not remembered');
  // Kept now: a (t3) and c (t4). A third grant pushes out the oldest, a, which is then signed again.
  assert.equal(await reuse('a', sign), 't3');
  assert.equal(await reuse('d', sign), 't5');
  assert.equal(await reuse('a', sign), 't6');
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLoginLimits } from './login-limits';

const options = { attemptsPerIp: 3, failuresPerUser: 4, windowS: 60, freeFailures: 2, maxBackoffS: 300 };

describe('login limits', () => {
  test('an address gets `attemptsPerIp` attempts per window, then a wait in seconds', async () => {
    const limits = createLoginLimits(options);
    for (let i = 0; i < 3; i++) assert.equal(await limits.admit('10.0.0.1', `u${i}`), null);
    const refused = await limits.admit('10.0.0.1', 'u9');
    assert.ok(refused && refused.retryAfterS > 0 && refused.retryAfterS <= 60);
    assert.match(refused.sentence, /from your address/);
    assert.equal(await limits.admit('10.0.0.2', 'u9'), null, 'another address is not affected');
  });

  test('failures in a row back a username off, doubling; a success clears it', async () => {
    const limits = createLoginLimits({ ...options, attemptsPerIp: 1000 });
    await limits.failed('Ann');
    await limits.failed('ann');
    assert.equal(await limits.admit('10.0.0.3', 'ann'), null, 'the free failures cost nothing');
    await limits.failed('ann');
    const first = await limits.admit('10.0.0.4', 'ANN');
    assert.ok(first && first.retryAfterS === 1, JSON.stringify(first));
    assert.match(first.sentence, /for this account/);
    await limits.failed('ann');
    assert.equal((await limits.admit('10.0.0.5', 'ann'))?.retryAfterS, 2);
    await limits.succeeded('ann');
    assert.equal(await limits.admit('10.0.0.6', 'ann'), null);
  });

  test('a username has `failuresPerUser` failures per window, from any address', async () => {
    const limits = createLoginLimits({ ...options, attemptsPerIp: 1000, freeFailures: 100 });
    for (let i = 0; i < 4; i++) await limits.failed('bob');
    const refused = await limits.admit('10.0.0.7', 'bob');
    assert.ok(refused);
    assert.match(refused.sentence, /try again in \d+ s/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { owns } from './ownership';

describe('owns', () => {
  test('the owner and admins reach a resource; another user does not', () => {
    assert.equal(owns({ role: 'user', userId: 'u1' }, 'u1'), true);
    assert.equal(owns({ role: 'admin', userId: 'a1' }, 'u1'), true);
    assert.equal(owns({ role: 'user', userId: 'u2' }, 'u1'), false);
  });
});

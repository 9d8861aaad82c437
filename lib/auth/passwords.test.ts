import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';

test('a password verifies against its scrypt hash and nothing else does', async () => {
  const hash = await hashPassword('correct horse');
  assert.match(hash, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horse!', hash), false);
  assert.equal(await verifyPassword('correct horse', 'garbage'), false);
  assert.notEqual(await hashPassword('correct horse'), hash);
});

test('password rules are sentences', () => {
  assert.equal(passwordProblem('short'), 'The password must be at least 8 characters long.');
  assert.equal(passwordProblem('long enough'), null);
});

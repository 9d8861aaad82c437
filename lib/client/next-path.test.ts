import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loginHref, safeNextPath } from './next-path';

const ORIGIN = 'http://127.0.0.1:3000';

describe('safeNextPath', () => {
  test('follows a path on this origin, with its query and hash', () => {
    assert.equal(safeNextPath('/projects/abc?tab=files#readme', ORIGIN), '/projects/abc?tab=files#readme');
    assert.equal(safeNextPath('/', ORIGIN), '/');
  });

  test('goes home when there is no next', () => {
    assert.equal(safeNextPath(null, ORIGIN), '/');
    assert.equal(safeNextPath(undefined, ORIGIN), '/');
    assert.equal(safeNextPath('', ORIGIN), '/');
  });

  test('refuses other sites, however they are written', () => {
    for (const raw of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example', 'evil.example', 'javascript:alert(1)']) {
      assert.equal(safeNextPath(raw, ORIGIN), '/', raw);
    }
  });

  test('does not send you back to the sign-in page', () => {
    assert.equal(safeNextPath('/login?next=%2F', ORIGIN), '/');
  });
});

describe('loginHref', () => {
  test('carries the current path as next, encoded', () => {
    assert.equal(loginHref('/'), '/login?next=%2F');
    assert.equal(loginHref('/projects/abc?tab=files'), '/login?next=%2Fprojects%2Fabc%3Ftab%3Dfiles');
  });
});

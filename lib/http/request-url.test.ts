import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestUrl } from './request-url';

test('a request target is always a path on our own origin', () => {
  assert.equal(requestUrl('/api/events?x=1')?.pathname, '/api/events');
  assert.equal(requestUrl('//evil/api/events')?.pathname, '//evil/api/events');
  assert.equal(requestUrl('//:/X/E')?.pathname, '//:/X/E');
  assert.equal(requestUrl('/a%F3/b')?.pathname, '/a%F3/b');
});

test('a target that is not a path is refused rather than guessed at', () => {
  assert.equal(requestUrl(undefined), null);
  assert.equal(requestUrl('*'), null);
  assert.equal(requestUrl('http://other.example/api/events'), null);
  assert.equal(requestUrl('/@evil.example')?.host, 'request.invalid');
});

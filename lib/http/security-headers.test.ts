import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { servedOverHttps } from './security-headers';

const request = (headers: Record<string, string | string[]>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

describe('servedOverHttps', () => {
  test('a TLS socket is https', () => {
    assert.equal(servedOverHttps(request({}, true)), true);
  });
  test('a proxy in front that says https (first hop of a list, any case) is https', () => {
    assert.equal(servedOverHttps(request({ 'x-forwarded-proto': 'https' })), true);
    assert.equal(servedOverHttps(request({ 'x-forwarded-proto': 'HTTPS, http' })), true);
  });
  test('plain http, or a proxy that says http, is not', () => {
    assert.equal(servedOverHttps(request({})), false);
    assert.equal(servedOverHttps(request({ 'x-forwarded-proto': 'http' })), false);
    assert.equal(servedOverHttps(request({ 'x-forwarded-proto': 'http, https' })), false);
  });
});

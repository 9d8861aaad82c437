import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { clientAddress, trustedProxies } from './client-address';

const req = (remote: string, xff?: string) => ({ socket: { remoteAddress: remote }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
const loopback = trustedProxies(['127.0.0.1', '::1']);

test('a direct client is its own address, whatever X-Forwarded-For it sends', () => {
  assert.equal(clientAddress(req('203.0.113.9', '10.9.9.9'), loopback), '203.0.113.9');
});

test('behind a trusted proxy, the client is the last hop the proxies did not add', () => {
  assert.equal(clientAddress(req('127.0.0.1', '198.51.100.7'), loopback), '198.51.100.7');
  assert.equal(clientAddress(req('::ffff:127.0.0.1', '1.1.1.1, 198.51.100.7'), loopback), '198.51.100.7');
  const twoProxies = trustedProxies(['127.0.0.1', '10.0.0.0/8']);
  assert.equal(clientAddress(req('127.0.0.1', '198.51.100.7, 10.1.2.3'), twoProxies), '198.51.100.7');
});

test('a trusted proxy without a usable header leaves the proxy as the client', () => {
  assert.equal(clientAddress(req('127.0.0.1'), loopback), '127.0.0.1');
  assert.equal(clientAddress(req('127.0.0.1', 'not-an-ip'), loopback), '127.0.0.1');
  assert.equal(clientAddress(req('127.0.0.1', ''), trustedProxies([])), '127.0.0.1');
});

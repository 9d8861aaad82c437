import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, socketUrl } from './socket-url';

test('socket URLs follow the page: ws on http, wss on https, same host, ticket attached', () => {
  assert.equal(socketUrl('/api/build/p1', { after: 3, build: undefined }, 'tkt', { protocol: 'http:', host: 'dash.local:3000' }), 'ws://dash.local:3000/api/build/p1?after=3&ticket=tkt');
  assert.equal(socketUrl('/api/events', {}, null, { protocol: 'https:', host: 'dash.example' }), 'wss://dash.example/api/events');
});

test('backoff doubles up to 15 s and jitters within the upper half', () => {
  assert.equal(backoffMs(0, () => 0), 250);
  assert.equal(backoffMs(0, () => 1), 500);
  assert.equal(backoffMs(3, () => 1), 4000);
  assert.equal(backoffMs(20, () => 1), 15000);
  assert.equal(backoffMs(20, () => 0), 7500);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchDeclared, upstreamPath } from './match';
import { upstreamUrl } from './record';
import { parseRoutes } from './spec';

const [io, owned, byQuery, stripped] = parseRoutes(
  JSON.stringify({
    routes: [
      { path: '/socket.io/', upstream: 'http://127.0.0.1:4300', auth: 'user' },
      { path: '/kernels/', upstream: 'wss://k.internal/base/', auth: { owner: { segment: 1 } } },
      { path: '/jobs/', upstream: 'http://jobs', auth: { owner: { query: 'project' } } },
      { path: '/app/', upstream: 'http://app:8080/v1', auth: 'public', stripPrefix: true },
    ],
  }),
  'routes.json',
);
const q = (s = '') => new URLSearchParams(s);
const ID = 'a'.repeat(21);

test('a path is the route\'s when it starts with the prefix, byte for byte', () => {
  assert.deepEqual(matchDeclared(io, '/socket.io/', q()), { params: { rest: '' } });
  assert.deepEqual(matchDeclared(io, '/socket.io/x/y', q()), { params: { rest: 'x/y' } });
  for (const p of ['/socket.io', '/socket.io..', '/socket.io../api', '//socket.io/', '/socket.io%2f..%2fapi', '/socket.io%2F', '/Socket.io/', '/api/socket.io/']) {
    assert.equal(matchDeclared(io, p, q()), null, p);
  }
});

test('what follows the prefix may not smuggle a separator or a dot segment', () => {
  for (const p of ['/socket.io/%2F..%2Fapi', '/socket.io/..%2fapi', '/socket.io/a%5cb', '/socket.io/a\\..\\b', '/socket.io/x%00']) {
    assert.equal(matchDeclared(io, p, q())?.problem, 'the path holds an encoded separator', p);
  }
  for (const p of ['/socket.io/..', '/socket.io/../api', '/socket.io/%2e%2e/api', '/socket.io/x/./y', '/socket.io/%2E']) {
    assert.equal(matchDeclared(io, p, q())?.problem, 'the path holds a dot segment', p);
  }
  assert.equal(matchDeclared(io, '/socket.io/%zz', q())?.problem, 'the path is not valid percent-encoding');
  // Dots inside a name are only a name.
  assert.deepEqual(matchDeclared(io, '/socket.io/socket.io.js', q()), { params: { rest: 'socket.io.js' } });
});

test('owner routes take the project from their segment or query parameter', () => {
  assert.deepEqual(matchDeclared(owned, `/kernels/k1/${ID}/ws`, q()), { params: { rest: `k1/${ID}/ws`, projectId: ID } });
  assert.equal(matchDeclared(owned, '/kernels/k1/', q())?.problem, 'no project id at path segment 1');
  assert.equal(matchDeclared(owned, '/kernels/k1/not-an-id!', q())?.problem, 'malformed project id');
  assert.deepEqual(matchDeclared(byQuery, '/jobs/x', q(`project=${ID}`)), { params: { rest: 'x', projectId: ID } });
  assert.equal(matchDeclared(byQuery, '/jobs/x', q())?.problem, 'no project id in ?project=');
});

test('the upstream path: base path, then the client path or what follows the prefix; token and ticket leave the query', () => {
  assert.equal(upstreamPath(io, 'x'), '/socket.io/x');
  assert.equal(upstreamPath(stripped, 'x/y'), '/v1/x/y');
  assert.equal(upstreamPath(owned, 'k'), '/base/kernels/k');
  assert.equal(upstreamUrl(io, '', q('EIO=4&transport=websocket&token=t&ticket=u'), 'ws').href, 'ws://127.0.0.1:4300/socket.io/?EIO=4&transport=websocket');
  assert.equal(upstreamUrl(owned, 'k', q(), 'http').href, 'https://k.internal/base/kernels/k');
  assert.equal(upstreamUrl(owned, 'k', q(), 'ws').href, 'wss://k.internal/base/kernels/k');
});

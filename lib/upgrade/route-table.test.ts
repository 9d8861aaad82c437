import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchRoute } from './route-table';

const q = (s = '') => new URLSearchParams(s);

describe('matchRoute', () => {
  test('matches the build route with its optional build and after', () => {
    assert.deepEqual(matchRoute('/api/build/abc123', q('after=5&build=b1&token=t')), { route: 'build', projectId: 'abc123', buildId: 'b1', after: 5 });
  });
  test('matches both VNC paths to the same route', () => {
    assert.deepEqual(matchRoute('/api/sessions/s1/vnc', q()), { route: 'vnc', sessionId: 's1' });
    assert.deepEqual(matchRoute('/api/auth/session/s1/novnc/websock', q()), { route: 'vnc', sessionId: 's1' });
  });
  test('matches the hub and hands /_next/ to Next', () => {
    assert.deepEqual(matchRoute('/api/events', q()), { route: 'events' });
    assert.deepEqual(matchRoute('/_next/webpack-hmr', q()), { route: 'next' });
  });
  test('a route shape with a malformed id or query is a match with a problem (4400)', () => {
    assert.equal(matchRoute('/api/build/a%2Fb', q())?.route, 'build');
    assert.ok((matchRoute('/api/build/a%2Fb', q()) as { problem?: string }).problem);
    assert.ok((matchRoute('/api/build/ok', q('after=x')) as { problem?: string }).problem);
    assert.ok((matchRoute('/api/build/ok', q('build=../x')) as { problem?: string }).problem);
    assert.ok((matchRoute('/api/sessions/%ZZ/vnc', q()) as { problem?: string }).problem);
  });
  test('anything else is no match (404)', () => {
    for (const p of ['/', '/api', '/api/build', '/api/build/a/b', '/api/sessions/s1', '/api/sessions/s1/vnc/x', '/api/events/x', '/login']) {
      assert.equal(matchRoute(p, q()), null, p);
    }
  });
});

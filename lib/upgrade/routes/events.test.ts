import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { eventsRoute, matchEvents } from './events';
import { BUILTIN_ROUTES, BUILTIN_ROUTE_NAMES, findRoute } from './index';
import { q, routeFixture } from './route-fixture.test-helper';

describe('events route', () => {
  test('is exactly /api/events', () => {
    assert.deepEqual(matchEvents('/api/events'), { params: null });
    for (const p of ['/api/events/', '/api/events/x', '/api/event', '/events']) assert.equal(matchEvents(p), null, p);
  });
  test('any signed-in user may open it; it is served in this process by the hub', async () => {
    const { deps, bob } = await routeFixture();
    assert.deepEqual(await eventsRoute.authorise(null, bob, deps), { ok: true, resource: null, describe: 'hub' });
    const t = await eventsRoute.resolve(null, null, { query: q(), pathname: '/api/events', user: bob, token: null, req: {} as IncomingMessage }, deps);
    assert.ok('transport' in t && t.transport === 'in-process' && t.accept === deps.hub.accept);
    assert.equal(eventsRoute.ticketResource(null), 'hub');
  });
});

describe('the built-in route list', () => {
  test('names are unique and every record is found by its own path', () => {
    assert.deepEqual(BUILTIN_ROUTE_NAMES, ['build', 'vnc', 'events']);
    assert.equal(findRoute(BUILTIN_ROUTES, '/api/build/p1', q())?.route.name, 'build');
    assert.equal(findRoute(BUILTIN_ROUTES, '/api/sessions/s1/vnc', q())?.route.name, 'vnc');
    assert.equal(findRoute(BUILTIN_ROUTES, '/api/events', q())?.route.name, 'events');
    assert.equal(findRoute(BUILTIN_ROUTES, '/api/build/a%2Fb', q())?.matched.problem, 'malformed project id');
    for (const p of ['/', '/api', '/login', '/api/projects']) assert.equal(findRoute(BUILTIN_ROUTES, p, q()), null, p);
  });
});

import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { CLOSE } from '../../errors/close-codes';
import { buildRoute, matchBuild } from './build';
import { q, routeFixture } from './route-fixture.test-helper';

describe('build route', () => {
  test('matches /api/build/:projectId with its optional build and after', () => {
    assert.deepEqual(matchBuild('/api/build/abc123', q('after=5&build=b1&token=t')), { params: { projectId: 'abc123', buildId: 'b1', after: 5 } });
    assert.deepEqual(matchBuild('/api/build/abc123', q()), { params: { projectId: 'abc123', buildId: undefined } });
  });
  test('its shape with a malformed id or query is a problem (4400), not another path', () => {
    assert.deepEqual(matchBuild('/api/build/a%2Fb', q()), { problem: 'malformed project id' });
    assert.deepEqual(matchBuild('/api/build/%ZZ', q()), { problem: 'malformed project id' });
    assert.deepEqual(matchBuild('/api/build/ok', q('after=x')), { problem: '`after` must be a sequence number' });
    assert.deepEqual(matchBuild('/api/build/ok', q('build=../x')), { problem: 'malformed build id' });
  });
  test('anything else is not its path', () => {
    for (const p of ['/', '/api', '/api/build', '/api/build/a/b', '/api/builds/a', '/x/build/a']) assert.equal(matchBuild(p, q()), null, p);
  });
  test('authorises the owner and admins; another user gets 4403, an unknown project 4404', async () => {
    const { deps, alice, bob, admin } = await routeFixture();
    const project = await deps.projects.create(alice.userId, 'p');
    assert.deepEqual(await buildRoute.authorise({ projectId: project.id }, alice, deps), { ok: true, resource: project.id, describe: `project:${project.id}` });
    assert.equal((await buildRoute.authorise({ projectId: project.id }, admin, deps)).ok, true);
    assert.deepEqual(await buildRoute.authorise({ projectId: project.id }, bob, deps), { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your project' });
    assert.deepEqual(await buildRoute.authorise({ projectId: 'nope' }, alice, deps), { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such project' });
    assert.equal(buildRoute.ticketResource({ projectId: project.id }), project.id);
  });
  test('resolves to the build backend with a minted credential and the query minus every credential', async () => {
    const { deps, alice } = await routeFixture();
    const project = await deps.projects.create(alice.userId, 'p');
    const target = await buildRoute.resolve({ projectId: project.id }, project.id, { query: q('after=3&token=secret&ticket=t'), pathname: '', user: alice, token: 'secret', req: {} as IncomingMessage }, deps);
    assert.ok(!('ok' in target) && target.transport === 'proxy');
    assert.equal(target.url.href, `ws://127.0.0.1:4100/build/${project.id}?after=3`);
    assert.ok(target.bearer && target.bearer !== 'secret');
    assert.equal((await deps.backendTokens.verify(target.bearer, project.id))?.user.userId, alice.userId);
  });
});

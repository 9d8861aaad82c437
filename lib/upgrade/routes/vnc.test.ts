import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { CLOSE } from '../../errors/close-codes';
import { createVmhostTokens } from '../../auth/vmhost-tokens';
import { createLogger } from '../../observability/logger';
import { createVmhostClient } from '../../sessions/vmhost-client';
import { matchVnc, resolveSession, vncRoute } from './vnc';
import { q, routeFixture } from './route-fixture.test-helper';

describe('vnc route', () => {
  test('both VNC paths are the one route', () => {
    assert.deepEqual(matchVnc('/api/sessions/s1/vnc'), { params: { sessionId: 's1' } });
    assert.deepEqual(matchVnc('/api/auth/session/s1/novnc/websock'), { params: { sessionId: 's1' } });
  });
  test('a malformed id is a problem; other shapes are not its path', () => {
    assert.deepEqual(matchVnc('/api/sessions/%ZZ/vnc'), { problem: 'malformed session id' });
    assert.deepEqual(matchVnc('/api/sessions/a%2F..%2Fb/vnc'), { problem: 'malformed session id' });
    for (const p of ['/api/sessions/s1', '/api/sessions/s1/vnc/x', '/api/auth/session/s1/novnc', '/api/sessions//vnc/x']) assert.equal(matchVnc(p), null, p);
  });
  test('authorises the owner and admins with the stored target', async () => {
    const { deps, alice, bob, admin } = await routeFixture();
    const s = await deps.sessions.create({ ownerId: alice.userId, name: 'vm', target: 'tcp://127.0.0.1:5901', kind: 'external', status: 'running' });
    assert.deepEqual(await vncRoute.authorise({ sessionId: s.id }, alice, deps), { ok: true, resource: { id: s.id, target: s.target, external: true }, describe: `session:${s.id}` });
    assert.equal((await vncRoute.authorise({ sessionId: s.id }, admin, deps)).ok, true);
    assert.deepEqual(await vncRoute.authorise({ sessionId: s.id }, bob, deps), { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your session' });
    assert.deepEqual(await vncRoute.authorise({ sessionId: 'nope' }, alice, deps), { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such session' });
  });
  test('a local VM is bridged to its Unix socket; a websockify target is proxied', async () => {
    assert.deepEqual(await resolveSession({ id: 'a', target: 'unix:/run/vm/a.sock', external: false }, []), { transport: 'bridge', to: { kind: 'unix', path: '/run/vm/a.sock' } });
    const ws = await resolveSession({ id: 'a', target: 'ws://10.0.0.5:6080/websockify', external: false }, []);
    assert.ok(!('ok' in ws) && ws.transport === 'proxy' && ws.url.href === 'ws://10.0.0.5:6080/websockify');
  });
  test('an external target is vetted again at every connect', async () => {
    assert.deepEqual(await resolveSession({ id: 'a', target: 'tcp://127.0.0.1:5901', external: true }, []), { ok: false, code: CLOSE.FORBIDDEN, reason: 'VM target no longer allowed by VNC_TARGET_ALLOW' });
    assert.deepEqual(await resolveSession({ id: 'a', target: 'tcp://127.0.0.1:5901', external: true }, ['127.0.0.1/32']), { transport: 'bridge', to: { kind: 'tcp', host: '127.0.0.1', port: 5901 } });
    assert.deepEqual(await resolveSession({ id: 'a', target: 'bogus', external: false }, []), { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'session has no usable target' });
  });
  test('resolve uses the record with the allow-list from its deps', async () => {
    const { deps } = await routeFixture();
    const t = await vncRoute.resolve({ sessionId: 'a' }, { id: 'a', target: 'unix:/x.sock', external: false }, { query: q(), pathname: '', user: null, token: null, req: {} as IncomingMessage }, deps);
    assert.equal('transport' in t && t.transport, 'bridge');
  });
  test('with VMHOST_URL a local session goes to the vmhost with a token for that session only; external ones stay as they are', async () => {
    const { deps, alice } = await routeFixture();
    const tokens = createVmhostTokens('v'.repeat(32));
    // Port 9 (discard): nothing answers its status polls, and none is needed to resolve.
    const vmhost = createVmhostClient({ url: new URL('http://127.0.0.1:9/'), tokens, logger: createLogger('silent'), onExit: () => undefined, pollMs: 60_000 });
    try {
      const ctx = { query: q('token=secret'), pathname: '', user: alice, token: 'users-own-token', req: {} as IncomingMessage };
      const t = await vncRoute.resolve({ sessionId: 'a' }, { id: 'a', target: 'unix:/x.sock', external: false }, ctx, { ...deps, vmhost });
      assert.ok(!('ok' in t) && t.transport === 'proxy');
      assert.equal(t.url.href, 'ws://127.0.0.1:9/vnc/a');
      assert.notEqual(t.bearer, 'users-own-token');
      assert.equal((await tokens.verify(t.bearer, 'connect', 'a') as { userId: string }).userId, alice.userId);
      assert.equal(await tokens.verify(t.bearer, 'connect', 'b'), 'out_of_scope');
      const ext = await vncRoute.resolve({ sessionId: 'e' }, { id: 'e', target: 'ws://10.0.0.5:6080/websockify', external: true }, ctx, { ...deps, vmhost, vncTargetAllow: ['10.0.0.0/8'] });
      assert.ok(!('ok' in ext) && ext.transport === 'proxy' && ext.url.href === 'ws://10.0.0.5:6080/websockify' && ext.bearer === undefined);
    } finally {
      vmhost.close();
    }
  });
});

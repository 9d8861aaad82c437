import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGateway } from './helpers/gateway';
import { runBuild } from './helpers/run-build';

// Two Portico instances on one machine (two checkouts, a test run beside a dev server) used to collide on
// the embedded build backend's fixed port 4100: the second refused to start. With BUILD_BACKEND_PORT left
// at its default each takes a free loopback port of its own.

test('two instances started at once on one machine both start, each building through its own backend', async () => {
  // '' is "unset": the default applies (the helper otherwise pins 0 itself).
  const [a, b] = await Promise.all([startGateway({ BUILD_BACKEND_PORT: '' }), startGateway({ BUILD_BACKEND_PORT: '' })]);
  try {
    assert.equal(a.portico.config.buildBackendPort, 0);
    const health = await Promise.all(
      [a, b].map(async (gw) => (await gw.api('GET', '/api/admin/health', { token: gw.adminToken })).body.upstreams.build as { url: string; reachable: boolean }),
    );
    assert.ok(health[0].reachable && health[1].reachable, JSON.stringify(health));
    assert.notEqual(health[0].url, health[1].url);
    for (const gw of [a, b]) {
      const project = await gw.createProject(gw.adminToken, 'two instances');
      assert.match(await runBuild(gw, gw.adminToken, project.id, 'a landing page'), /^[\w-]+$/);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

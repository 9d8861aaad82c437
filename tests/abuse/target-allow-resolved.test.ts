import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closed, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { startEchoUpstream } from '../helpers/upstreams';

// Issue 10, point 13: VNC_TARGET_ALLOW compared the target's host *name* with the list, once, at
// registration. A listed name that resolves to loopback (or a `127.0.0.1.lab` record under `*.lab`)
// passed and pointed the gateway at itself; a record registered under an older list stayed reachable.
// Now the resolved addresses are checked, at registration and at every connect, and loopback passes
// only when listed as an address or CIDR. `localhost` is the name every machine resolves to loopback.

describe('VNC_TARGET_ALLOW on resolved addresses', () => {
  let vnc: Awaited<ReturnType<typeof startEchoUpstream>>;
  let port: string;
  let gw: TestGateway;
  let alice: { id: string; token: string };

  before(async () => {
    vnc = await startEchoUpstream();
    port = new URL(vnc.url).port;
    gw = await startGateway({ VNC_TARGET_ALLOW: 'localhost,vm.lab.invalid' });
    alice = await gw.createUser('alice');
  });
  after(async () => {
    await gw.close();
    await vnc.close();
  });

  const register = (target: string) => gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'vm', target, ownerId: alice.id } });

  test('a listed name that resolves to loopback is refused at registration, with a sentence', async () => {
    for (const target of [`ws://localhost:${port}/websockify`, `tcp://localhost:${port}`]) {
      const r = await register(target);
      assert.equal(r.status, 400, target);
      assert.match(r.body.error.message, /resolves to 127\.0\.0\.1.*loopback/);
    }
  });

  test('a listed name that does not resolve is refused, and unlisted addresses too', async () => {
    assert.match((await register('tcp://vm.lab.invalid:5900')).body.error.message, /does not resolve/);
    assert.match((await register(`ws://127.0.0.1:${port}/`)).body.error.message, /not in VNC_TARGET_ALLOW|loopback/);
  });

  test('a target stored before the rule (or under an older list) is checked again at connect: 4403', async () => {
    for (const target of [`ws://localhost:${port}/websockify`, `tcp://localhost:${port}`]) {
      const s = await gw.portico.sessions.create({ ownerId: alice.id, name: 'old', target, kind: 'external', status: 'running' });
      const before = vnc.seen.length;
      const c = await closed(gw.open(`/api/sessions/${s.id}/vnc?token=${alice.token}`));
      assert.equal(c.code, 4403, `${target}: ${c.code} ${c.reason}`);
      assert.match(c.reason, /VNC_TARGET_ALLOW/);
      assert.equal(vnc.seen.length, before, 'the gateway did not connect');
    }
  });

  test('loopback listed as an address still works, by address or by a name that resolves to it', async () => {
    const gw2 = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.1' });
    try {
      const bob = await gw2.createUser('bob');
      for (const host of ['127.0.0.1', 'localhost']) {
        const r = await gw2.api('POST', '/api/sessions', { token: gw2.adminToken, body: { name: 'vm', target: `ws://${host}:${port}/websockify`, ownerId: bob.id } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const ws = gw2.open(`/api/sessions/${r.body.id}/vnc?token=${bob.token}`);
        await opened(ws);
        ws.send('hello');
        const echoed = await new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
        assert.equal(echoed, 'hello');
        ws.close();
        await closed(ws);
      }
    } finally {
      await gw2.close();
    }
  });
});

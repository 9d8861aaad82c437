import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { RfbTestClient } from './helpers/rfb-client';

// Share links end to end against a real desktop (TigerVNC's Xvnc with an xterm, the local provider): a
// second user accepts a link and opens the same socket route as the owner, and what the bridge lets
// through is what the desktop does.

describe('share links', () => {
  let gw: TestGateway;
  let owner: { id: string; token: string };
  let guest: { id: string; token: string };
  before(async () => {
    gw = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.1', ...(localVncMissing() ? {} : { VNC_PROVIDER: 'local' }) });
    owner = await gw.createUser('share-owner');
    guest = await gw.createUser('share-guest');
  });
  after(() => gw.close());

  async function share(sessionId: string, rights: 'view-only' | 'interactive', who = guest) {
    const made = await gw.api('POST', `/api/sessions/${sessionId}/shares`, { token: owner.token, body: { rights, expires: '1h' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const token = made.body.path.slice('/share/'.length);
    const accepted = await gw.api('POST', `/api/shares/${token}/accept`, { token: who.token });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    return { id: made.body.share.id as string, token };
  }

  test('a link is only for the owner to make, shows what it gives, and lets the guest read the session', async () => {
    const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'shared desk', target: 'tcp://127.0.0.1:5999', ownerId: owner.id } });
    assert.equal((await gw.api('GET', `/api/sessions/${s.body.id}`, { token: guest.token })).status, 403);
    assert.equal((await gw.api('POST', `/api/sessions/${s.body.id}/shares`, { token: guest.token, body: { rights: 'interactive', expires: '1h' } })).status, 403);
    assert.equal((await gw.api('POST', `/api/sessions/${s.body.id}/shares`, { token: owner.token, body: { rights: 'all', expires: '1h' } })).status, 400);

    const made = await gw.api('POST', `/api/sessions/${s.body.id}/shares`, { token: owner.token, body: { rights: 'view-only', expires: '1d' } });
    const token = made.body.path.slice('/share/'.length);
    // The store holds only the token's hash.
    const row = await gw.portico.store.db.selectFrom('session_shares').selectAll().where('id', '=', made.body.share.id).executeTakeFirstOrThrow();
    assert.notEqual(row.token_hash, token);
    assert.ok(!JSON.stringify(row).includes(token));

    const invite = await gw.api('GET', `/api/shares/${token}`, { token: guest.token });
    assert.equal(invite.status, 200);
    assert.deepEqual({ ...invite.body, expiresAt: 0 }, { sessionId: s.body.id, sessionName: 'shared desk', ownerName: 'share-owner', rights: 'view-only', expiresAt: 0, state: 'active', accepted: false, own: false });
    assert.equal((await gw.api('GET', `/api/shares/${token}`)).status, 401);
    assert.equal((await gw.api('GET', `/api/shares/${'x'.repeat(43)}`, { token: guest.token })).status, 404);

    assert.equal((await gw.api('POST', `/api/shares/${token}/accept`, { token: guest.token })).status, 200);
    const seen = await gw.api('GET', `/api/sessions/${s.body.id}`, { token: guest.token });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.access, 'view-only');
    assert.equal(seen.body.ownerName, 'share-owner');
    assert.equal((await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: guest.token })).status, 403);
    const mine = await gw.api('GET', '/api/shared-sessions', { token: guest.token });
    assert.deepEqual(mine.body.map((x: { name: string; access: string; ownerName: string }) => `${x.name}:${x.access}:${x.ownerName}`), ['shared desk:view-only:share-owner']);

    const listed = await gw.api('GET', `/api/sessions/${s.body.id}/shares`, { token: owner.token });
    assert.deepEqual(listed.body.shares[0].accepted.map((a: { username: string }) => a.username), ['share-guest']);

    assert.equal((await gw.api('DELETE', `/api/sessions/${s.body.id}/shares/${made.body.share.id}`, { token: owner.token })).status, 204);
    assert.equal((await gw.api('GET', `/api/sessions/${s.body.id}`, { token: guest.token })).status, 403);
    assert.equal((await gw.api('POST', `/api/shares/${token}/accept`, { token: guest.token })).status, 403);
    assert.deepEqual((await gw.api('GET', '/api/shared-sessions', { token: guest.token })).body, []);
    await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: owner.token });
  });

  test('at most 20 live links per session', async () => {
    const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'popular', target: 'tcp://127.0.0.1:5999', ownerId: owner.id } });
    for (let i = 0; i < 20; i++) assert.equal((await gw.api('POST', `/api/sessions/${s.body.id}/shares`, { token: owner.token, body: { rights: 'view-only', expires: '1h' } })).status, 201);
    const over = await gw.api('POST', `/api/sessions/${s.body.id}/shares`, { token: owner.token, body: { rights: 'view-only', expires: '1h' } });
    assert.equal(over.status, 403);
    assert.match(over.body.error.message, /20 of 20 share links/);
    await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: owner.token });
  });

  test('a link that expires closes the sockets opened through it with 4403, and lets nobody in again', async () => {
    // A VNC server that greets and then listens: the socket stays open until the gateway closes it.
    const vnc = net.createServer((c) => {
      c.on('error', () => undefined);
      c.write('RFB 003.008\n');
      c.resume();
    });
    await new Promise<void>((r) => vnc.listen(0, '127.0.0.1', () => r()));
    try {
      const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'brief', target: `tcp://127.0.0.1:${(vnc.address() as net.AddressInfo).port}`, ownerId: owner.id } });
      const { id, token } = await share(s.body.id, 'interactive');
      const ws = gw.open(`/api/sessions/${s.body.id}/vnc?token=${guest.token}`, { protocols: ['binary'] });
      await opened(ws);
      const ending = closed(ws);
      // The link's time is up (as if an hour had passed).
      await gw.portico.store.db.updateTable('session_shares').set({ expires_at: Date.now() - 1 }).where('id', '=', id).execute();
      assert.deepEqual(await ending, { code: 4403, reason: 'the share link expired' });
      assert.equal((await closed(gw.open(`/api/sessions/${s.body.id}/vnc?token=${guest.token}`, { protocols: ['binary'] }))).code, 4403);
      const again = await gw.api('POST', `/api/shares/${token}/accept`, { token: guest.token });
      assert.equal(again.status, 403);
      assert.equal(again.body.error.message, 'This share link has expired; ask the owner for a new one.');
      await gw.api('DELETE', `/api/sessions/${s.body.id}`, { token: owner.token });
    } finally {
      await new Promise((r) => vnc.close(r));
    }
  });

  describe('on a real desktop', { skip: localVncMissing() ?? false }, () => {
    test("a view-only viewer's keys change nothing, an interactive one's do, and a revoke closes the viewer with 4403", async () => {
      const created = await gw.api('POST', '/api/sessions', { token: owner.token, body: { name: 'team desk' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const sessionId = created.body.id;
      const home = gw.portico.localVnc!.get(sessionId)!.home;
      const other = await gw.createUser('share-helper');
      const viewOnly = await share(sessionId, 'view-only');
      await share(sessionId, 'interactive', other);

      // The owner is watching; the view-only guest asks for an *exclusive* desktop, which must not kick the owner.
      const ownerWs = gw.open(`/api/sessions/${sessionId}/vnc?token=${owner.token}`, { protocols: ['binary'] });
      const ownerRfb = new RfbTestClient(ownerWs);
      await opened(ownerWs);
      await ownerRfb.handshake(true);
      await ownerRfb.waitForColour(100, 100, XTERM_BACKGROUND); // the xterm is up and under (100, 100)
      const guestWs = gw.open(`/api/sessions/${sessionId}/vnc?token=${guest.token}`, { protocols: ['binary'] });
      const guestRfb = new RfbTestClient(guestWs);
      await opened(guestWs);
      await guestRfb.handshake(false);

      const blocked = `blocked${randomBytes(4).toString('hex')}`;
      guestRfb.click(100, 100);
      guestRfb.type(`touch ~/${blocked}`);
      await guestRfb.roundTrip(); // the desktop has read every key the guest sent
      await ownerRfb.roundTrip(); // and the owner is still connected

      const helperWs = gw.open(`/api/sessions/${sessionId}/vnc?token=${other.token}`, { protocols: ['binary'] });
      const helperRfb = new RfbTestClient(helperWs);
      await opened(helperWs);
      await helperRfb.handshake(true);
      const written = `written${randomBytes(4).toString('hex')}`;
      helperRfb.click(100, 100);
      helperRfb.type(`touch ~/${written}`);
      await waitFor(() => fs.existsSync(path.join(home, written)), 10_000);
      assert.equal(fs.existsSync(path.join(home, blocked)), false, 'the view-only guest typed nothing');

      // Who is watching: all three, the owner first.
      const listed = await gw.api('GET', `/api/sessions/${sessionId}/shares`, { token: owner.token });
      assert.deepEqual(listed.body.watching.map((w: { username: string; access: string }) => `${w.username}:${w.access}`), ['share-owner:owner', 'share-guest:view-only', 'share-helper:interactive']);

      const closing = closed(guestWs);
      assert.equal((await gw.api('DELETE', `/api/sessions/${sessionId}/shares/${viewOnly.id}`, { token: owner.token })).status, 204);
      assert.deepEqual(await closing, { code: 4403, reason: 'the share link was revoked' });
      assert.equal((await closed(gw.open(`/api/sessions/${sessionId}/vnc?token=${guest.token}`, { protocols: ['binary'] }))).code, 4403);
      // The others stay.
      assert.equal(ownerWs.readyState, ownerWs.OPEN);
      assert.equal(helperWs.readyState, helperWs.OPEN);
      ownerWs.close();
      helperWs.close();
      await gw.api('DELETE', `/api/sessions/${sessionId}`, { token: owner.token });
    });

    test('a viewer that breaks RFB is closed with 4400 and says why', async () => {
      const created = await gw.api('POST', '/api/sessions', { token: owner.token, body: { name: 'strict desk' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await share(created.body.id, 'view-only');
      const ws = gw.open(`/api/sessions/${created.body.id}/vnc?token=${guest.token}`, { protocols: ['binary'] });
      const rfb = new RfbTestClient(ws);
      await opened(ws);
      await rfb.handshake(true);
      const end = closed(ws);
      rfb.send(Buffer.from([42, 0, 0, 0]));
      assert.deepEqual(await end, { code: 4400, reason: 'RFB refused: unknown RFB message type 42' });
      await gw.api('DELETE', `/api/sessions/${created.body.id}`, { token: owner.token });
    });
  });
});

/** The xterm's background (lib/sessions/vm-sandbox.ts: -bg '#1b1c1a'). */
const XTERM_BACKGROUND = 0x1b1c1a;

async function waitFor(check: () => boolean, ms: number) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

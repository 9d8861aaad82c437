import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { closed, nextMessage, opened, startGateway, type TestGateway } from './helpers/gateway';
import { refusedPort, startEchoUpstream } from './helpers/upstreams';

// The VNC routes resolve their target from the sessions table (ws:// proxied, tcp:// bridged) and the
// hub route is served in process.

const GREETING = Buffer.from('RFB 003.008\n', 'latin1');

// A VNC server speaks first; the bridge answers the browser once it has, and relays the greeting.
async function startTcpEcho() {
  const server = net.createServer((c) => {
    c.on('error', () => undefined);
    c.write(GREETING);
    c.pipe(c);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
}

describe('VNC routes', () => {
  let wsTarget: Awaited<ReturnType<typeof startEchoUpstream>>;
  let tcpTarget: Awaited<ReturnType<typeof startTcpEcho>>;
  let gw: TestGateway;
  let user: { id: string; token: string };
  const sessions: Record<string, string> = {};

  before(async () => {
    wsTarget = await startEchoUpstream();
    tcpTarget = await startTcpEcho();
    gw = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.0/8' });
    user = await gw.createUser('vnc-user');
    const targets = { ws: `${wsTarget.url}/websockify`, tcp: `tcp://127.0.0.1:${tcpTarget.port}`, down: `tcp://127.0.0.1:${await refusedPort()}` };
    for (const [name, target] of Object.entries(targets)) {
      const r = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name, target, ownerId: user.id } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      sessions[name] = r.body.id;
    }
  });
  after(async () => {
    await gw.close();
    await wsTarget.close();
    await tcpTarget.close();
  });

  test('a ws:// target is proxied with the `binary` subprotocol intact, on both paths', async () => {
    for (const path of [`/api/sessions/${sessions.ws}/vnc`, `/api/auth/session/${sessions.ws}/novnc/websock`]) {
      const seenBefore = wsTarget.seen.length;
      const ws = gw.open(`${path}?token=${user.token}`, { protocols: ['binary'] });
      await opened(ws);
      assert.equal(ws.protocol, 'binary');
      assert.equal(wsTarget.seen[seenBefore].url, '/websockify');
      assert.equal(wsTarget.seen[seenBefore].headers['sec-websocket-protocol'], 'binary');
      const payload = randomBytes(64 * 1024);
      ws.send(payload);
      assert.ok((await nextMessage(ws)).data.equals(payload));
      ws.close();
      await closed(ws);
    }
  });

  test('a tcp:// target is bridged: binary frames in, the same bytes back', async () => {
    const ws = gw.open(`/api/sessions/${sessions.tcp}/vnc?token=${user.token}`, { protocols: ['binary'] });
    const greeting = nextMessage(ws);
    await opened(ws);
    assert.equal(ws.protocol, 'binary');
    const payload = randomBytes(1024 * 1024);
    assert.ok((await greeting).data.equals(GREETING));
    ws.send(payload);
    const received: Buffer[] = [];
    let size = 0;
    await new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        received.push(d);
        size += d.length;
        if (size >= payload.length) resolve();
      }),
    );
    assert.ok(Buffer.concat(received).equals(payload));
    ws.close();
    await closed(ws);
  });

  test('a target that is down closes with 1014 within 2 s', async () => {
    const started = Date.now();
    const c = await closed(gw.open(`/api/sessions/${sessions.down}/vnc?token=${user.token}`, { protocols: ['binary'] }));
    assert.equal(c.code, 1014);
    assert.ok(Date.now() - started < 2000);
  });

  test('an external target outside VNC_TARGET_ALLOW is refused at registration', async () => {
    const r = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'x', target: 'tcp://10.1.2.3:5900' } });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /not in VNC_TARGET_ALLOW/);
    const notAdmin = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'x', target: 'tcp://127.0.0.1:5900' } });
    assert.equal(notAdmin.status, 403);
  });

  test('the session list never shows a target', async () => {
    const list = await gw.api('GET', '/api/sessions', { token: user.token });
    assert.equal(list.body.length, 3);
    for (const s of list.body) assert.equal(s.target, undefined);
  });
});

describe('the event hub', () => {
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let project: string;
  const EMIT = randomBytes(24).toString('hex');

  before(async () => {
    gw = await startGateway({ EMIT_TOKEN: EMIT, VNC_TARGET_ALLOW: '127.0.0.1' });
    alice = await gw.createUser('alice');
    bob = await gw.createUser('bob');
    project = (await gw.createProject(alice.token)).id;
  });
  after(() => gw.close());

  function messages(ws: WebSocket) {
    const queue: Record<string, unknown>[] = [];
    const waiters: ((m: Record<string, unknown>) => void)[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    });
    return () => new Promise<Record<string, unknown>>((r) => (queue.length ? r(queue.shift()!) : waiters.push(r)));
  }

  const emit = (topic: string, data: unknown) => gw.api('POST', '/api/emit', { headers: { authorization: `Bearer ${EMIT}` }, body: { topic, data } });

  test('subscribe, receive an emitted event with a sequence number, unsubscribe', async () => {
    const ws = gw.open(`/api/events?token=${alice.token}`);
    const next = messages(ws);
    await opened(ws);
    const topic = `project:${project}:files`;
    ws.send(JSON.stringify({ type: 'subscribe', topic }));
    const { epoch, ...subscribed } = await next();
    assert.deepEqual(subscribed, { type: 'subscribed', topic, seq: 0 });
    assert.equal(typeof epoch, 'string');
    assert.equal((await emit(topic, { path: 'index.html' })).status, 202);
    assert.deepEqual(await next(), { type: 'event', topic, epoch, seq: 1, data: { path: 'index.html' } });
    ws.send(JSON.stringify({ type: 'unsubscribe', topic }));
    assert.deepEqual(await next(), { type: 'unsubscribed', topic });
    await emit(topic, { path: 'after.html' });
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
    // The next message is the subscribe answer: the event emitted after unsubscribing never arrived.
    assert.deepEqual({ ...(await next()), epoch: undefined }, { type: 'subscribed', topic: 'sessions', seq: 0, epoch: undefined });
    ws.close();
    await closed(ws);
  });

  test('a forbidden or unknown topic gets an error message and the socket stays open', async () => {
    const ws = gw.open(`/api/events?token=${bob.token}`);
    const next = messages(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'subscribe', topic: `project:${project}:files` }));
    assert.deepEqual(await next(), { type: 'error', topic: `project:${project}:files`, code: 4403, reason: 'not_your_project', message: "You don't have access to this project." });
    ws.send(JSON.stringify({ type: 'subscribe', topic: `project:${'z'.repeat(12)}:builds` }));
    assert.equal((await next()).code, 4404);
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'system' }));
    assert.equal((await next()).code, 4403);
    ws.send('not json');
    assert.equal((await next()).code, 4400);
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
    assert.equal((await next()).type, 'subscribed');
    ws.close();
    await closed(ws);
  });

  test('the sessions topic shows each user only their own sessions; admins see all', async () => {
    const watch = async (token: string) => {
      const ws = gw.open(`/api/events?token=${token}`);
      const next = messages(ws);
      await opened(ws);
      ws.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
      assert.equal((await next()).type, 'subscribed');
      return { ws, next };
    };
    const a = await watch(alice.token);
    const admin = await watch(gw.adminToken);
    const forBob = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'bobs', target: 'tcp://127.0.0.1:5999', ownerId: bob.id } });
    const forAlice = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'alices', target: 'tcp://127.0.0.1:5998', ownerId: alice.id } });
    assert.equal(((await admin.next()).data as { session: { id: string } }).session.id, forBob.body.id);
    assert.equal(((await admin.next()).data as { session: { id: string } }).session.id, forAlice.body.id);
    // Alice's first event is her own session: Bob's was never sent to her.
    assert.equal(((await a.next()).data as { session: { id: string } }).session.id, forAlice.body.id);
    for (const s of [a, admin]) s.ws.close();
  });

  test('emit refuses a bad token (401 / 403) and a bad body (400)', async () => {
    assert.equal((await gw.api('POST', '/api/emit', { body: { topic: 'sessions', data: 1 } })).status, 401);
    assert.equal((await gw.api('POST', '/api/emit', { headers: { authorization: 'Bearer wrong' }, body: { topic: 'sessions', data: 1 } })).status, 403);
    assert.equal((await emit('no-such-topic', 1)).status, 400);
    assert.equal((await emit('sessions', undefined)).status, 400);
    const notJson = await fetch(gw.url + '/api/emit', { method: 'POST', headers: { authorization: `Bearer ${EMIT}`, 'content-type': 'application/json' }, body: '{' });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, 'invalid_json');
  });
});

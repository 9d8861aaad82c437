import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { hubReader } from './helpers/hub-client';

// The FileManager's API and live feed, the system topic, and the hub under load.

describe('workspace files', () => {
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let project: string;
  let root: string;
  before(async () => {
    gw = await startGateway({ UPLOAD_MAX_BYTES: '1024' });
    alice = await gw.createUser('alice');
    project = (await gw.createProject(alice.token)).id;
    root = path.join(gw.portico.config.dataDir, 'workspaces', project);
  });
  after(() => gw.close());

  const put = (rel: string, body: Uint8Array | string, token = alice.token) =>
    fetch(`${gw.url}/api/projects/${project}/files/${rel}`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: typeof body === 'string' ? body : new Uint8Array(body) });

  test('upload, list, view, delete', async () => {
    assert.equal((await put('docs/readme.md', '# hi\n')).status, 201);
    assert.equal((await put('docs/readme.md', '# hello\n')).status, 200);
    assert.equal((await put('logo.bin', Buffer.from([0, 1, 2, 255]))).status, 201);
    const tree = await gw.api('GET', `/api/projects/${project}/files`, { token: alice.token });
    assert.deepEqual(tree.body.map((e: { path: string; bytes: number }) => [e.path, e.bytes]), [['docs/readme.md', 8], ['logo.bin', 4]]);
    const text = await gw.api('GET', `/api/projects/${project}/files/docs/readme.md`, { token: alice.token });
    assert.deepEqual({ ...text.body }, { path: 'docs/readme.md', bytes: 8, binary: false, truncated: false, content: '# hello\n' });
    const bin = await gw.api('GET', `/api/projects/${project}/files/logo.bin`, { token: alice.token });
    assert.equal(bin.body.binary, true);
    assert.equal(bin.body.content, null);
    assert.equal((await gw.api('DELETE', `/api/projects/${project}/files/docs/readme.md`, { token: alice.token })).status, 204);
    assert.ok(!fs.existsSync(path.join(root, 'docs')), 'the emptied folder went too');
    assert.equal((await gw.api('DELETE', `/api/projects/${project}/files/docs/readme.md`, { token: alice.token })).status, 404);
  });

  test('uploads that escape the workspace or exceed UPLOAD_MAX_BYTES are refused with a sentence', async () => {
    for (const evil of ['..%2Fescape.txt', '%2Fetc%2Fowned', 'a%2F..%2F..%2Fup.txt']) {
      const r = await put(evil, 'x');
      assert.equal(r.status, 400, evil);
      assert.match(((await r.json()) as { error: { message: string } }).error.message, /climbs out|absolute path|outside/);
    }
    assert.ok(!fs.existsSync(path.join(gw.portico.config.dataDir, 'workspaces', 'escape.txt')));
    const big = await put('big.bin', randomBytes(2048));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { message: string } }).error.message, 'The file is larger than 1 KB, the upload limit.');
    assert.ok(!fs.existsSync(path.join(root, 'big.bin')));
  });

  test("another user's project is 403", async () => {
    const bob = await gw.createUser('bob');
    assert.equal((await put('x.txt', 'x', bob.token)).status, 403);
    assert.equal((await gw.api('GET', `/api/projects/${project}/files`, { token: bob.token })).status, 403);
  });

  test('a file written on disk by another process reaches a subscriber, and so do changes and deletes', async () => {
    const ws = gw.open(`/api/events?token=${alice.token}`);
    const hub = hubReader(ws);
    await opened(ws);
    const topic = `project:${project}:files`;
    ws.send(JSON.stringify({ type: 'subscribe', topic }));
    await hub.until((m) => m.type === 'subscribed');
    fs.mkdirSync(path.join(root, 'notes'), { recursive: true });
    fs.writeFileSync(path.join(root, 'notes', 'outside.txt'), 'written by someone else');
    const created = await hub.until((m) => m.type === 'event' && (m.data as { path: string }).path === 'notes/outside.txt');
    assert.deepEqual(created.data, { op: 'created', path: 'notes/outside.txt', bytes: 23 });
    fs.appendFileSync(path.join(root, 'notes', 'outside.txt'), '!');
    await hub.until((m) => m.type === 'event' && (m.data as { op: string }).op === 'changed');
    fs.rmSync(path.join(root, 'notes', 'outside.txt'));
    await hub.until((m) => m.type === 'event' && (m.data as { op: string }).op === 'deleted');
    ws.close();
    await closed(ws);
  });
});

describe('the hub under load and the system topic', () => {
  let gw: TestGateway;
  const EMIT = randomBytes(16).toString('hex');
  before(async () => (gw = await startGateway({ EMIT_TOKEN: EMIT, MAX_SOCKETS_PER_USER: '200' })));
  after(() => gw.close());

  test('1,000 events to 50 subscribers arrive in order, none lost, none to a socket that is not subscribed', async () => {
    const topic = 'sessions';
    const subscribers: { ws: WebSocket; hub: ReturnType<typeof hubReader> }[] = [];
    for (let i = 0; i < 50; i++) {
      const ws = gw.open(`/api/events?token=${gw.adminToken}`);
      subscribers.push({ ws, hub: hubReader(ws) });
    }
    const bystander = gw.open(`/api/events?token=${gw.adminToken}`);
    const bystanderHub = hubReader(bystander);
    await Promise.all([...subscribers.map((s) => opened(s.ws)), opened(bystander)]);
    for (const s of subscribers) s.ws.send(JSON.stringify({ type: 'subscribe', topic }));
    bystander.send(JSON.stringify({ type: 'subscribe', topic: 'system' }));
    await Promise.all(subscribers.map((s) => s.hub.until((m) => m.type === 'subscribed')));
    for (let i = 1; i <= 1000; i++) {
      const r = await gw.api('POST', '/api/emit', { headers: { authorization: `Bearer ${EMIT}` }, body: { topic, data: { n: i } } });
      assert.equal(r.status, 202);
    }
    await Promise.all(subscribers.map((s) => s.hub.until((m) => (m.data as { n?: number })?.n === 1000, 15_000)));
    for (const s of subscribers) {
      const events = s.hub.seen.filter((m) => m.type === 'event');
      assert.equal(events.length, 1000);
      assert.deepEqual(events.map((e) => (e.data as { n: number }).n), Array.from({ length: 1000 }, (_, i) => i + 1));
      const seqs = events.map((e) => e.seq as number);
      assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), 'seq has no holes');
    }
    assert.ok(!bystanderHub.seen.some((m) => m.topic === topic && m.type === 'event'), 'nothing reached the socket that did not subscribe');
    for (const s of [...subscribers.map((x) => x.ws), bystander]) s.close();
  });

  test('an admin watching `system` gets samples every 2 s with sockets per route', async () => {
    const ws = gw.open(`/api/events?token=${gw.adminToken}`);
    const hub = hubReader(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'system' }));
    const sample = await hub.until((m) => m.type === 'event' && m.topic === 'system', 5000);
    const data = sample.data as { cpuPercent: number; memory: { rss: number }; sockets: { events: number } };
    assert.ok(data.memory.rss > 0);
    assert.ok(data.sockets.events >= 1);
    assert.equal(typeof data.cpuPercent, 'number');
    ws.close();
    await closed(ws);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { STAGES, type HelloMessage } from '../lib/protocol/build';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';

// The Build journey's backend through the real gateway: real sockets, the real pipeline, real files.

describe('a build through the gateway', () => {
  let gw: TestGateway;
  let projectId: string;
  let firstBuild: { id: string; events: number };

  before(async () => {
    gw = await startGateway({ LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '0' });
    projectId = (await gw.createProject(gw.adminToken)).id;
  });
  after(() => gw.close());

  test('runs the whole pipeline: contiguous events, four stages done, 100 %, files on disk, result saved', async () => {
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const w = buildWatcher(ws);
    await opened(ws);
    await w.until(() => w.messages.length > 0);
    const hello = w.messages[0] as HelloMessage;
    assert.deepEqual({ ...hello, providerInfo: undefined }, { type: 'hello', build: null, provider: 'offline', providerInfo: undefined, lastSeq: 0 });
    assert.equal(hello.providerInfo?.name, 'offline');
    assert.match(hello.providerInfo!.capabilities, /^Built-in templates, no model: a to-do list, .*dashboard with a chart.* or a unit converter/);
    ws.send(JSON.stringify({ type: 'start', prompt: 'A stopwatch with laps' }));
    await w.until(() => Boolean(w.done()));
    const events = w.events();
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'seq starts at 1 and has no holes');
    for (const stage of STAGES) assert.ok(events.some((e) => e.type === 'stage' && e.stage === stage && e.state === 'done'), `${stage} done`);
    const progress = events.filter((e) => e.type === 'progress').map((e) => (e as { percent: number }).percent);
    assert.equal(Math.max(...progress), 100);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress never goes back');
    assert.ok(events.some((e) => e.type === 'output'), 'the generated text streamed');
    assert.equal(w.done()!.status, 'succeeded');
    const files = events.filter((e) => e.type === 'file').map((e) => (e as { path: string }).path);
    assert.deepEqual(files, ['index.html', 'styles.css', 'app.js']);
    const completed = events.filter((e) => e.type === 'file-progress' && e.state === 'complete').map((e) => (e as { path: string }).path);
    assert.deepEqual(completed, files, 'the offline provider reports per-file progress too');
    const workspace = path.join(gw.portico.config.dataDir, 'workspaces', projectId);
    assert.match(fs.readFileSync(path.join(workspace, 'index.html'), 'utf8'), /<title>A stopwatch with laps<\/title>/);
    const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: gw.adminToken });
    assert.equal(history.body[0].status, 'succeeded');
    assert.equal(history.body[0].provider, 'offline');
    assert.equal(history.body[0].lastSeq, events.length);
    assert.deepEqual(history.body[0].files.map((f: { path: string }) => f.path), files);
    assert.ok(history.body[0].durationMs >= 0);
    firstBuild = { id: events[0].buildId, events: events.length };
    ws.close();
    await closed(ws);
  });

  test('a socket cut after event k, reconnected with after=k, gets exactly k+1..N', async () => {
    const k = 17;
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}&build=${firstBuild.id}&after=${k}`);
    const w = buildWatcher(ws);
    await opened(ws);
    await w.until(() => Boolean(w.done()));
    const hello = w.messages[0] as { type: string; lastSeq: number };
    assert.equal(hello.type, 'hello');
    assert.equal(hello.lastSeq, firstBuild.events);
    assert.deepEqual(w.events().map((e) => e.seq), Array.from({ length: firstBuild.events - k }, (_, i) => k + 1 + i));
    ws.close();
    await closed(ws);
  });

  test('SSE serves the same events after Last-Event-ID, and 204 once a finished build has nothing new', async () => {
    const res = await fetch(`${gw.url}/api/build/${projectId}/events?build=${firstBuild.id}`, {
      headers: { authorization: `Bearer ${gw.adminToken}`, 'last-event-id': String(firstBuild.events - 2) },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(ids, [firstBuild.events - 1, firstBuild.events]);
    assert.match(text, /"type":"done"/);
    // An EventSource reconnecting keeps its first URL; Last-Event-ID further along wins over a stale ?after=.
    const resumed = await fetch(`${gw.url}/api/build/${projectId}/events?build=${firstBuild.id}&after=1`, {
      headers: { authorization: `Bearer ${gw.adminToken}`, 'last-event-id': String(firstBuild.events - 1) },
    });
    assert.deepEqual([...(await resumed.text()).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])), [firstBuild.events]);
    const again = await fetch(`${gw.url}/api/build/${projectId}/events?build=${firstBuild.id}&after=${firstBuild.events}`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
    assert.equal(again.status, 204);
    const noAuth = await fetch(`${gw.url}/api/build/${projectId}/events`);
    assert.equal(noAuth.status, 401);
  });

  test('a bad message or empty prompt gets an error message and the socket stays open', async () => {
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const w = buildWatcher(ws);
    await opened(ws);
    ws.send('{oops');
    ws.send(JSON.stringify({ type: 'start', prompt: '   ' }));
    ws.send(JSON.stringify({ type: 'launch' }));
    await w.until(() => w.messages.filter((m) => m.type === 'error').length === 3);
    const errors = w.messages.filter((m) => m.type === 'error').map((m) => (m as { code: number; message: string }));
    assert.deepEqual(errors.map((e) => e.code), [4400, 4400, 4400]);
    assert.equal(errors[1].message, 'Describe what to build first.');
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
    await closed(ws);
  });
});

describe('builds that take a while', () => {
  let gw: TestGateway;
  let projectId: string;
  before(async () => {
    // Paced output: the build lasts a few seconds, long enough to start a second one and to cancel.
    gw = await startGateway({ LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '25' });
    projectId = (await gw.createProject(gw.adminToken)).id;
  });
  after(() => gw.close());

  test('two concurrent starts: one build runs, the other gets 4409', async () => {
    const a = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const b = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const wa = buildWatcher(a);
    const wb = buildWatcher(b);
    await Promise.all([opened(a), opened(b)]);
    await Promise.all([wa.until(() => wa.messages.length > 0), wb.until(() => wb.messages.length > 0)]);
    a.send(JSON.stringify({ type: 'start', prompt: 'counter one' }));
    b.send(JSON.stringify({ type: 'start', prompt: 'counter two' }));
    const conflict = () => [...wa.messages, ...wb.messages].filter((m) => m.type === 'error');
    await wa.until(() => conflict().length === 1 || false).catch(() => undefined);
    await wb.until(() => conflict().length === 1);
    assert.deepEqual(conflict().map((m) => (m as { code: number }).code), [4409]);
    assert.equal((conflict()[0] as { message: string }).message, 'A build is already running for this project.');
    // Stop the build that did start so the next test starts clean.
    a.send(JSON.stringify({ type: 'cancel' }));
    // The one refused is the loser (its events may not have arrived yet when the refusal did).
    const winner = wa.messages.some((m) => m.type === 'error') ? wb : wa;
    await winner.until(() => Boolean(winner.done()));
    for (const ws of [a, b]) ws.close();
  });

  test('cancel stops a running build within 1 s and the record says cancelled', async () => {
    // A project of its own: a socket replays the project's latest build first, and that must be this one.
    const projectId = (await gw.createProject(gw.adminToken, 'cancel')).id;
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const w = buildWatcher(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'start', prompt: 'a todo list' }));
    await w.until(() => w.events().some((e) => e.type === 'output'));
    const asked = Date.now();
    ws.send(JSON.stringify({ type: 'cancel' }));
    await w.until(() => Boolean(w.done()));
    assert.ok(Date.now() - asked < 1000, `cancelled after ${Date.now() - asked} ms`);
    assert.equal(w.done()!.status, 'cancelled');
    assert.match(w.done()!.summary, /Cancelled by admin/);
    assert.ok(w.events().some((e) => e.type === 'stage' && e.stage === 'generate' && e.state === 'cancelled'), 'the stage says cancelled, not failed');
    assert.ok(!w.events().some((e) => e.type === 'stage' && e.state === 'failed'));
    const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: gw.adminToken });
    assert.equal(history.body[0].status, 'cancelled');
    ws.close();
    await closed(ws);
  });

  test('a build runs to the end with no socket attached', async () => {
    const projectId = (await gw.createProject(gw.adminToken, 'unwatched')).id;
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const w = buildWatcher(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'start', prompt: 'a counter' }));
    await w.until(() => w.events().length > 3);
    const buildId = w.events()[0].buildId;
    ws.terminate();
    const until = Date.now() + 15_000;
    let status = 'running';
    while (status === 'running' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await gw.api('GET', `/api/projects/${projectId}/builds`, { token: gw.adminToken })).body.find((b: { id: string }) => b.id === buildId).status;
    }
    assert.equal(status, 'succeeded');
  });
});

describe('the build backend on its own port', () => {
  test('refuses anyone without a backend token minted for that project, session tokens included', async () => {
    const gw = await startGateway();
    try {
      const port = gw.portico.buildBackend!.port;
      const { id } = await gw.createProject(gw.adminToken);
      const { id: other } = await gw.createProject(gw.adminToken, 'other');
      const me = (await gw.api('GET', '/api/auth/me', { token: gw.adminToken })).body;
      const admin = { userId: me.id, username: me.username, role: me.role };
      const forOther = await gw.portico.backendTokens.mint({ user: admin, projectId: other });
      for (const headers of [{}, { authorization: 'Bearer forged.token.value' }, { authorization: `Bearer ${gw.adminToken}` }, { authorization: `Bearer ${forOther}` }]) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/build/${id}`, { headers });
        assert.equal((await closed(ws)).status, 401);
      }
      const sse = await fetch(`http://127.0.0.1:${port}/build/${id}/events`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
      assert.equal(sse.status, 401);
      const minted = await gw.portico.backendTokens.mint({ user: admin, projectId: id });
      const ok = new WebSocket(`ws://127.0.0.1:${port}/build/${id}`, { headers: { authorization: `Bearer ${minted}` } });
      await opened(ok);
      ok.close();
      await closed(ok);
    } finally {
      await gw.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PROMPT_CHARS } from '../lib/protocol/build';
import { freePort } from '../lib/net/ports';
import { startGateway, type TestGateway } from './helpers/gateway';

// Start and cancel over plain HTTP through the real gateway and the real build backend: what a page whose
// socket is down uses, so it is never read-only.

/** The whole SSE stream of one build (it ends at `done`), as the events' JSON. */
async function eventsOf(gw: TestGateway, token: string, projectId: string, buildId: string) {
  const res = await fetch(`${gw.url}/api/build/${projectId}/events?build=${buildId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  return [...text.matchAll(/^event: build\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]) as { type: string; status?: string; summary?: string });
}

describe('starting and cancelling builds over HTTP', () => {
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let mallory: { id: string; token: string };
  let projectId: string;
  let firstBuildId: string;

  before(async () => {
    // Paced output so a build runs long enough to be started twice and cancelled; two builds an hour
    // so the quota's refusal is reachable.
    gw = await startGateway({ LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '25', MAX_BUILDS_PER_HOUR: '2' });
    alice = await gw.createUser('alice');
    mallory = await gw.createUser('mallory');
    projectId = (await gw.createProject(alice.token, 'bakery')).id;
  });
  after(() => gw.close());

  test('a start answers 202 with the build, a second start 409 with the running build id, and the build streams to the end', async () => {
    const first = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: alice.token, body: { prompt: '  a timer for bread  ' } });
    assert.equal(first.status, 202);
    assert.equal(first.body.build.status, 'running');
    assert.equal(first.body.build.projectId, projectId);
    assert.equal(first.body.build.prompt, 'a timer for bread');
    firstBuildId = first.body.build.id;

    const second = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: alice.token, body: { prompt: 'a counter' } });
    assert.equal(second.status, 409);
    assert.deepEqual(second.body.error, { code: 'conflict', message: 'A build is already running for this project.', buildId: firstBuildId });

    const events = await eventsOf(gw, alice.token, projectId, firstBuildId);
    assert.equal(events.at(-1)?.type, 'done');
    assert.equal(events.at(-1)?.status, 'succeeded');
  });

  test('cancel of a build that already ended is 409 "That build is not running."', async () => {
    const r = await gw.api('POST', `/api/projects/${projectId}/builds/${firstBuildId}/cancel`, { token: alice.token });
    assert.equal(r.status, 409);
    assert.equal(r.body.error.message, 'That build is not running.');
  });

  test('cancel of a running build answers 202 and the build ends cancelled, by its canceller', async () => {
    const started = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: alice.token, body: { prompt: 'a todo list' } });
    assert.equal(started.status, 202);
    const buildId = started.body.build.id;
    const r = await gw.api('POST', `/api/projects/${projectId}/builds/${buildId}/cancel`, { token: alice.token });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, { cancelled: true });
    const done = (await eventsOf(gw, alice.token, projectId, buildId)).at(-1)!;
    assert.equal(done.status, 'cancelled');
    assert.match(done.summary!, /Cancelled by alice/);
    const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: alice.token });
    assert.equal(history.body[0].status, 'cancelled');
  });

  test('past the hourly quota a start is 429 with the sentence that says when the next one can start', async () => {
    const r = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: alice.token, body: { prompt: 'one more' } });
    assert.equal(r.status, 429);
    assert.match(r.body.error.message, /^You started 2 of 2 builds allowed in the last hour; the next one can start in \d+ minutes?\.$/);
  });

  test('another user gets 404 for the project and its builds, exactly as for unknown ids', async () => {
    const unknownProject = 'p'.repeat(21);
    for (const [path, body] of [
      [`/api/projects/${projectId}/builds`, { prompt: 'steal a build' }],
      [`/api/projects/${projectId}/builds/${firstBuildId}/cancel`, undefined],
      [`/api/projects/${unknownProject}/builds`, { prompt: 'x' }],
    ] as const) {
      const r = await gw.api('POST', path, { token: mallory.token, body });
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error.message, 'Not found.');
    }
    // Mallory's own project does not reach Alice's build either.
    const own = (await gw.createProject(mallory.token, 'mine')).id;
    const r = await gw.api('POST', `/api/projects/${own}/builds/${firstBuildId}/cancel`, { token: mallory.token });
    assert.equal(r.status, 404);
    const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: alice.token });
    assert.ok(!history.body.some((b: { prompt: string }) => b.prompt === 'steal a build'));
  });

  test('an empty or too long prompt is 400 with a sentence; no sign-in is 401; a foreign Origin with the cookie is 403', async () => {
    const empty = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: alice.token, body: { prompt: '   ' } });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.message, 'Describe what to build first.');
    const long = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: alice.token, body: { prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) } });
    assert.equal(long.status, 400);
    assert.equal(long.body.error.message, `The prompt is longer than ${MAX_PROMPT_CHARS} characters.`);
    const anonymous = await gw.api('POST', `/api/projects/${projectId}/builds`, { body: { prompt: 'a counter' } });
    assert.equal(anonymous.status, 401);
    const csrf = await gw.api('POST', `/api/projects/${projectId}/builds/${firstBuildId}/cancel`, {
      headers: { cookie: `portico_session=${alice.token}`, origin: 'https://evil.example' },
    });
    assert.equal(csrf.status, 403);
  });

  test('the build backend refuses start and cancel without a backend token minted for that project', async () => {
    const port = gw.portico.buildBackend!.port;
    for (const path of [`/build/${projectId}/builds`, `/build/${projectId}/builds/${firstBuildId}/cancel`]) {
      for (const authorization of [undefined, `Bearer ${alice.token}`]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ prompt: 'a counter' }),
        });
        assert.equal(res.status, 401, `${path} with ${authorization ? 'a session token' : 'nothing'}`);
      }
    }
  });
});

describe('starting a build while the build backend is down', () => {
  test('is 502 with the sentence of the table, not a hang', async () => {
    const port = await freePort();
    const gw = await startGateway({ BUILD_BACKEND_URL: `ws://127.0.0.1:${port}` });
    try {
      const { id } = await gw.createProject(gw.adminToken);
      const r = await gw.api('POST', `/api/projects/${id}/builds`, { token: gw.adminToken, body: { prompt: 'a counter' } });
      assert.equal(r.status, 502);
      assert.equal(r.body.error.message, 'The build service / VM is unreachable.');
    } finally {
      await gw.close();
    }
  });
});

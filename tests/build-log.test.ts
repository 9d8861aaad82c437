import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { logLinesOf } from '../lib/protocol/log-lines';
import { buildWatcher } from './helpers/build-client';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { GOOD_REPLY, startLlmServer } from './helpers/llm-server';

// The raw log download (GET /api/projects/:id/builds/:buildId/log) against a real gateway and a real
// model server: the file has every line the page shows, in the same order and numbering, and nobody but
// the owner can tell the build exists.

const MODEL_LINES = 3000;
const REPLY = `${Array.from({ length: MODEL_LINES }, (_, i) => `\x1b[32mline ${i + 1}\x1b[0m of the plan`).join('\n')}\n${GOOD_REPLY}`;

describe('the raw log of a build', () => {
  let gw: TestGateway;
  let llm: Awaited<ReturnType<typeof startLlmServer>>;
  let owner: { id: string; token: string };
  let projectId: string;
  let buildId: string;

  before(async () => {
    llm = await startLlmServer({ reply: REPLY, chunkChars: 997 });
    gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl });
    owner = await gw.createUser('log-owner');
    projectId = (await gw.createProject(owner.token, 'Bäckerei & Co')).id;
    const ws = gw.open(`/api/build/${projectId}?token=${owner.token}`);
    const w = buildWatcher(ws);
    await opened(ws);
    await w.until(() => w.messages.length > 0);
    ws.send(JSON.stringify({ type: 'start', prompt: 'a plan of 3000 lines' }));
    await w.until(() => Boolean(w.done()), 30_000);
    assert.equal(w.done()!.status, 'succeeded', JSON.stringify(w.done()));
    buildId = w.events()[0].buildId;
    ws.close();
    await closed(ws);
  });
  after(async () => {
    await gw.close();
    await llm.close();
  });

  test('is a text file named after the project, one line per log and model line, cut as the page cuts them', async () => {
    const res = await fetch(`${gw.url}/api/projects/${projectId}/builds/${buildId}/log`, { headers: { authorization: `Bearer ${owner.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="Backerei-Co-${buildId}.log"`);
    const lines = (await res.text()).split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');

    const stored = await fetch(`${gw.url}/api/build/${projectId}/events?build=${buildId}`, { headers: { authorization: `Bearer ${owner.token}` } });
    const events = [...(await stored.text()).matchAll(/^event: build\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]));
    const expected = logLinesOf(events);
    assert.equal(lines.length, expected.length);
    assert.ok(lines.length > MODEL_LINES, `${lines.length} lines`);

    const first = lines.findIndex((l) => l.endsWith('line 1\x1b[0m of the plan'));
    assert.match(lines[first], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tgenerate\tmodel\t\x1b\[32mline 1\x1b\[0m of the plan$/);
    assert.ok(lines[first + MODEL_LINES - 1].includes(`line ${MODEL_LINES}\x1b`));
    assert.match(lines[0], /\tplan\tinfo\tPrompt: a plan of 3000 lines$/);
  });

  test('is "not found" to anyone else, for an unknown build and for a build of another project', async () => {
    const stranger = await gw.createUser('log-stranger');
    const theirs = await gw.api('GET', `/api/projects/${projectId}/builds/${buildId}/log`, { token: stranger.token });
    assert.equal(theirs.status, 404);
    assert.deepEqual(theirs.body, { error: { code: 'not_found', message: 'No such build.' } });

    const unknown = await gw.api('GET', `/api/projects/${projectId}/builds/${'x'.repeat(buildId.length)}/log`, { token: owner.token });
    assert.equal(unknown.status, 404);

    const other = (await gw.createProject(owner.token, 'other')).id;
    const elsewhere = await gw.api('GET', `/api/projects/${other}/builds/${buildId}/log`, { token: owner.token });
    assert.equal(elsewhere.status, 404);

    const anonymous = await fetch(`${gw.url}/api/projects/${projectId}/builds/${buildId}/log`);
    assert.equal(anonymous.status, 401);
  });
});

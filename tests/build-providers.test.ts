import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { opened, startGateway, type TestGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';
import { GOOD_REPLY, startLlmServer } from './helpers/llm-server';
import { refusedPort } from './helpers/upstreams';

// The `openai` provider against a real HTTP server speaking the OpenAI streaming format, and `auto`
// choosing between it and `offline`.

async function buildOnce(gw: TestGateway, prompt: string) {
  const { id } = await gw.createProject(gw.adminToken);
  const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
  const w = buildWatcher(ws);
  await opened(ws);
  ws.send(JSON.stringify({ type: 'start', prompt }));
  await w.until(() => Boolean(w.done()), 15_000);
  ws.close();
  return { projectId: id, w, hello: w.messages.filter((m) => m.type === 'hello').at(-1) as { provider: string } };
}

describe('the openai provider', () => {
  test('streams the model text live into output events and writes the files it names', async () => {
    const llm = await startLlmServer({ reply: GOOD_REPLY, chunkChars: 7 });
    const gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'coder-7b' });
    try {
      const { projectId, w } = await buildOnce(gw, 'say hello');
      assert.equal(w.done()!.status, 'succeeded', w.done()!.summary);
      const output = w.events().filter((e) => e.type === 'output').map((e) => (e as { text: string }).text).join('');
      assert.equal(output, GOOD_REPLY);
      assert.equal(llm.requests[0].body.stream, true);
      assert.equal(llm.requests[0].body.model, 'coder-7b');
      const js = fs.readFileSync(path.join(gw.portico.config.dataDir, 'workspaces', projectId, 'app.js'), 'utf8');
      assert.match(js, /Hello from the model/);
      const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: gw.adminToken });
      assert.equal(history.body[0].provider, 'openai');
    } finally {
      await gw.close();
      await llm.close();
    }
  });

  test('a stream that breaks off mid-way fails the build with a clear message', async () => {
    const llm = await startLlmServer({ reply: GOOD_REPLY, chunkChars: 10, dieAfterChunks: 5 });
    const gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl });
    try {
      const { w } = await buildOnce(gw, 'say hello');
      assert.equal(w.done()!.status, 'failed');
      assert.match(w.done()!.summary, /The model stream (broke off|ended) after 50 characters/);
      assert.ok(w.events().some((e) => e.type === 'stage' && e.stage === 'generate' && e.state === 'failed'));
    } finally {
      await gw.close();
      await llm.close();
    }
  });

  test('an unreachable model server fails the build and names it', async () => {
    const gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: `http://127.0.0.1:${await refusedPort()}/v1` });
    try {
      const { w } = await buildOnce(gw, 'say hello');
      assert.equal(w.done()!.status, 'failed');
      assert.match(w.done()!.summary, /The model server at http:\/\/127\.0\.0\.1:\d+\/v1 is unreachable \(ECONNREFUSED\)/);
    } finally {
      await gw.close();
    }
  });

  test('an HTTP error from the model server fails the build with its status', async () => {
    const llm = await startLlmServer({ reply: '', status: 503 });
    const gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl });
    try {
      const { w } = await buildOnce(gw, 'say hello');
      assert.match(w.done()!.summary, /answered HTTP 503/);
    } finally {
      await gw.close();
      await llm.close();
    }
  });

  test('file names that escape the workspace are refused and nothing is written outside it', async () => {
    for (const evil of ['../escape.js', '/etc/portico-owned', 'a/../../up.txt', 'ok/..\\..\\win.txt']) {
      const reply = `--- file: index.html\n<!DOCTYPE html><title>x</title>\n--- end\n--- file: ${evil}\nowned\n--- end\n`;
      const llm = await startLlmServer({ reply });
      const gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl });
      try {
        const { projectId, w } = await buildOnce(gw, 'escape');
        assert.equal(w.done()!.status, 'failed', evil);
        assert.match(w.done()!.summary, /^Refused to write: /, evil);
        assert.ok(w.events().some((e) => e.type === 'stage' && e.stage === 'write' && e.state === 'failed'));
        assert.ok(!w.events().some((e) => e.type === 'file'), 'nothing was written');
        const dataDir = gw.portico.config.dataDir;
        assert.ok(!fs.existsSync(path.join(dataDir, 'workspaces', 'escape.js')));
        assert.ok(!fs.existsSync(path.join(dataDir, 'workspaces', projectId, 'index.html')));
      } finally {
        await gw.close();
        await llm.close();
      }
    }
  });
});

describe('LLM_PROVIDER=auto', () => {
  test('uses the model server when GET /models answers, and says so', async () => {
    const llm = await startLlmServer({ reply: GOOD_REPLY });
    const gw = await startGateway({ LLM_PROVIDER: 'auto', LLM_BASE_URL: llm.baseUrl });
    try {
      const { w, projectId } = await buildOnce(gw, 'hello');
      assert.equal(w.done()!.status, 'succeeded');
      assert.ok(w.events().some((e) => e.type === 'log' && /Provider: openai — test-coder-1b at/.test((e as { text: string }).text)));
      const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: gw.adminToken });
      assert.equal(history.body[0].provider, 'openai');
    } finally {
      await gw.close();
      await llm.close();
    }
  });

  test('falls back to offline when nothing answers', async () => {
    const gw = await startGateway({ LLM_PROVIDER: 'auto', LLM_BASE_URL: `http://127.0.0.1:${await refusedPort()}/v1` });
    try {
      const { w, projectId } = await buildOnce(gw, 'a counter');
      assert.equal(w.done()!.status, 'succeeded');
      const history = await gw.api('GET', `/api/projects/${projectId}/builds`, { token: gw.adminToken });
      assert.equal(history.body[0].provider, 'offline');
    } finally {
      await gw.close();
    }
  });
});

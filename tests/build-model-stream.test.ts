import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BuildEvent } from '../lib/protocol/build';
import { opened, startGateway, type TestGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';
import { GOOD_REPLY, startLlmServer, type LlmBehaviour } from './helpers/llm-server';

// What a person watching an `openai` build sees of the model itself: a warning when it says nothing, a
// failed build with a sentence when it stays silent, and figures (time to first token, tokens, speed)
// and per-file progress while it writes.

type Stats = Extract<BuildEvent, { type: 'stats' }>;
type FileProgress = Extract<BuildEvent, { type: 'file-progress' }>;

async function build(gw: TestGateway, ms = 15_000) {
  const { id } = await gw.createProject(gw.adminToken);
  const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
  const w = buildWatcher(ws);
  await opened(ws);
  const startedAt = Date.now();
  ws.send(JSON.stringify({ type: 'start', prompt: 'say hello' }));
  await w.until(() => Boolean(w.done()), ms);
  ws.close();
  return { w, tookMs: Date.now() - startedAt, projectId: id };
}

async function withModel(behaviour: LlmBehaviour, env: Record<string, string>, run: (gw: TestGateway, llm: Awaited<ReturnType<typeof startLlmServer>>) => Promise<void>) {
  const llm = await startLlmServer(behaviour);
  const gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'coder-7b', ...env });
  try {
    await run(gw, llm);
  } finally {
    await gw.close();
    await llm.close();
  }
}

describe('a model that says nothing', () => {
  test('accepting the request and sending nothing: a warning, then the build fails with a sentence and the connection is closed', async () => {
    await withModel({ reply: GOOD_REPLY, silent: true }, { LLM_FIRST_TOKEN_TIMEOUT_MS: '300', LLM_IDLE_TIMEOUT_MS: '1200' }, async (gw, llm) => {
      const { w, tookMs } = await build(gw);
      const warn = w.events().find((e) => e.type === 'log' && e.level === 'warn') as Extract<BuildEvent, { type: 'log' }> | undefined;
      assert.equal(warn?.text, 'The model has sent nothing for 300 ms; still waiting (LLM_IDLE_TIMEOUT_MS stops the build after 1.2 s of silence).');
      assert.equal(w.done()!.status, 'failed');
      assert.match(w.done()!.summary, /^The model sent nothing for 1\.2 s; the build stopped\. Check that coder-7b is loaded and answering at http:\/\/127\.0\.0\.1:\d+\/v1/);
      assert.ok(tookMs >= 1200 && tookMs < 4000, `failed after ${tookMs} ms`);
      assert.ok(w.events().some((e) => e.type === 'stage' && e.stage === 'generate' && e.state === 'failed'));
      await llm.connectionsClosed(1);
    });
  });

  test('a model that stalls after a few tokens fails after the idle timeout, without the first-token warning', async () => {
    await withModel({ reply: GOOD_REPLY, chunkChars: 10, stallAfterChunks: 4 }, { LLM_FIRST_TOKEN_TIMEOUT_MS: '300', LLM_IDLE_TIMEOUT_MS: '800' }, async (gw, llm) => {
      const { w } = await build(gw);
      assert.ok(!w.events().some((e) => e.type === 'log' && e.level === 'warn'), 'tokens came, so no "sent nothing" warning');
      assert.equal(w.done()!.status, 'failed');
      assert.match(w.done()!.summary, /^The model sent nothing more for 800 ms; the build stopped\./);
      await llm.connectionsClosed(1);
    });
  });

  test('a slow but steady model is not cut off: silence is measured between tokens, not over the whole reply', async () => {
    await withModel({ reply: GOOD_REPLY, chunkChars: 20, chunkDelayMs: 60 }, { LLM_FIRST_TOKEN_TIMEOUT_MS: '200', LLM_IDLE_TIMEOUT_MS: '400' }, async (gw) => {
      const { w, tookMs } = await build(gw);
      assert.equal(w.done()!.status, 'succeeded', w.done()!.summary);
      assert.ok(tookMs > 400, `the reply took ${tookMs} ms, longer than the idle timeout`);
    });
  });
});

describe('stats and per-file progress', () => {
  test('stats at the first token, at most once a second, and at the end with the server-reported token count', async () => {
    await withModel({ reply: GOOD_REPLY, chunkChars: 8, chunkDelayMs: 40, completionTokens: 123 }, {}, async (gw, llm) => {
      const { w, tookMs } = await build(gw);
      assert.equal(w.done()!.status, 'succeeded', w.done()!.summary);
      assert.deepEqual(llm.requests[0].body.stream_options, { include_usage: true });
      const stats = w.events().filter((e): e is Stats & BuildEvent => e.type === 'stats');
      assert.ok(stats.length >= 2, 'one at the first token, one at the end');
      assert.ok(stats.length <= 2 + Math.ceil(tookMs / 1000), `${stats.length} stats events in ${tookMs} ms`);
      const [first, last] = [stats[0], stats.at(-1)!];
      assert.equal(first.model, 'coder-7b');
      assert.ok(first.firstTokenMs !== null && first.firstTokenMs >= 0 && first.firstTokenMs < tookMs);
      assert.equal(first.estimated, true);
      assert.deepEqual({ tokens: last.tokens, estimated: last.estimated }, { tokens: 123, estimated: false });
      assert.ok(last.tokensPerSecond! > 0 && last.tokensPerSecond! < 123 / 0.5, `tokens/s ${last.tokensPerSecond}`);
      assert.equal(last.firstTokenMs, first.firstTokenMs);
      const gaps = stats.slice(1, -1).map((s, i) => s.at - stats[i].at);
      for (const g of gaps) assert.ok(g >= 950, `stats ${g} ms apart`);
    });
  });

  test('without usage from the server, tokens are estimated from the text and say so', async () => {
    await withModel({ reply: GOOD_REPLY }, {}, async (gw) => {
      const { w } = await build(gw);
      const last = w.events().filter((e) => e.type === 'stats').at(-1) as Stats;
      assert.equal(last.estimated, true);
      assert.equal(last.tokens, Math.round(GOOD_REPLY.length / 4));
    });
  });

  test('a server that refuses stream_options is asked again without it, and the build succeeds with estimated tokens', async () => {
    await withModel({ reply: GOOD_REPLY, refuseStreamOptions: true }, {}, async (gw, llm) => {
      const { w } = await build(gw);
      assert.equal(w.done()!.status, 'succeeded', w.done()!.summary);
      assert.deepEqual(llm.requests.map((r) => 'stream_options' in r.body), [true, false]);
      assert.equal((w.events().filter((e) => e.type === 'stats').at(-1) as Stats).estimated, true);
    });
  });

  test('file-progress: each file streams, then completes at its final size, in a bounded number of events', async () => {
    await withModel({ reply: GOOD_REPLY, chunkChars: 3 }, {}, async (gw) => {
      const { w } = await build(gw);
      const progress = w.events().filter((e): e is FileProgress & BuildEvent => e.type === 'file-progress');
      const complete = progress.filter((p) => p.state === 'complete').map((p) => [p.path, p.bytes]);
      const files = w.events().filter((e) => e.type === 'file').map((e) => [(e as { path: string }).path, (e as { bytes: number }).bytes]);
      assert.deepEqual(complete, files);
      assert.ok(progress.length <= 3 * 4, `${progress.length} file-progress events for ${GOOD_REPLY.length / 3} tokens`);
      const outputs = w.events().filter((e) => e.type === 'output').length;
      assert.ok(outputs < GOOD_REPLY.length / 3, 'output is batched too');
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';

// An OpenAI-compatible model server on 127.0.0.1 that speaks the real streaming format:
// `data: {"choices":[{"delta":{"content":…}}]}` lines, then `data: [DONE]`. It stands in for LM Studio /
// Ollama / vLLM, which this machine cannot run; what it answers is set per test.

export type LlmBehaviour = {
  /** The reply, streamed in pieces of this many characters. */
  reply: string;
  chunkChars?: number;
  /** Pause before the first piece, ms (a model slow to its first token). */
  firstChunkDelayMs?: number;
  /** Pause between pieces, ms (a model that takes its time, so a test can act mid-stream). */
  chunkDelayMs?: number;
  /** Break the connection after this many pieces (a server that dies mid-stream). */
  dieAfterChunks?: number;
  /** Send this many pieces, then nothing more, keeping the connection open (a stuck model). */
  stallAfterChunks?: number;
  /** Accept the request and answer nothing at all, not even headers (a model still loading). */
  silent?: boolean;
  /** Send `usage.completion_tokens` in a last chunk, as servers do for `stream_options.include_usage`. */
  completionTokens?: number;
  status?: number;
  /** Refuse requests that carry `stream_options` with a 400 naming it, as some older servers do. */
  refuseStreamOptions?: boolean;
};

export async function startLlmServer(behaviour: LlmBehaviour) {
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  // Completion requests whose connection has closed: a client that gave up must not leave it open.
  let closedConnections = 0;
  const closeWaiters: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'test-coder-1b', object: 'model' }] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
    let body = '';
    for await (const c of req) body += c;
    requests.push({ path: req.url, body: JSON.parse(body) });
    res.once('close', () => {
      closedConnections++;
      for (const w of closeWaiters.splice(0)) w();
    });
    if (behaviour.refuseStreamOptions && requests.at(-1)!.body.stream_options) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "Unrecognized request argument supplied: stream_options" } }));
      return;
    }
    if (behaviour.status && behaviour.status !== 200) {
      res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'model not loaded' } }));
      return;
    }
    if (behaviour.silent) return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (behaviour.firstChunkDelayMs) await new Promise((r) => setTimeout(r, behaviour.firstChunkDelayMs));
    const size = behaviour.chunkChars ?? 40;
    let n = 0;
    for (let i = 0; i < behaviour.reply.length; i += size) {
      if (behaviour.dieAfterChunks !== undefined && n === behaviour.dieAfterChunks) return void res.socket?.destroy();
      if (behaviour.stallAfterChunks !== undefined && n === behaviour.stallAfterChunks) return;
      if (res.destroyed) return;
      const chunk = { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: behaviour.reply.slice(i, i + size) }, finish_reason: null }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      n++;
      await new Promise((r) => (behaviour.chunkDelayMs ? setTimeout(r, behaviour.chunkDelayMs) : setImmediate(r)));
    }
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    if (behaviour.completionTokens !== undefined) {
      res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 50, completion_tokens: behaviour.completionTokens, total_tokens: 50 + behaviour.completionTokens } })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    behaviour,
    get closedConnections() {
      return closedConnections;
    },
    /** Resolves once `n` completion requests have had their connection closed. */
    connectionsClosed(n = 1): Promise<void> {
      return new Promise((resolve) => {
        const check = () => (closedConnections >= n ? resolve() : closeWaiters.push(check));
        check();
      });
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export const GOOD_REPLY = [
  'Here is your app.',
  '--- file: index.html',
  '<!DOCTYPE html>',
  '<html lang="en"><head><meta charset="utf-8"><title>Hi</title><link rel="stylesheet" href="styles.css"></head>',
  '<body><h1>Hi</h1><script src="app.js"></script></body></html>',
  '--- end',
  '--- file: styles.css',
  'h1 { color: teal; }',
  '--- end',
  '--- file: app.js',
  "document.querySelector('h1').textContent = 'Hello from the model';",
  '--- end',
  '',
].join('\n');

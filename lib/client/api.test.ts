import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ApiError, apiRequest } from './api';

// apiRequest against a real HTTP server on 127.0.0.1 (Node's fetch is the browser's, near enough).

describe('apiRequest', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow-body') {
        // Headers now, the body later: an abort lands while the body is still arriving.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        setTimeout(() => res.end('[1,2,3]'), 300).unref();
        return;
      }
      if (req.url === '/not-json') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>a proxy</h1>');
      res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2,3]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('answers the JSON body', async () => {
    assert.deepEqual(await apiRequest<number[]>(`${base}/ok`), [1, 2, 3]);
  });

  test('a request aborted while its body arrives rejects; it never resolves with null', async () => {
    const ctrl = new AbortController();
    const answer = apiRequest<number[]>(`${base}/slow-body`, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 50);
    await assert.rejects(answer, (err: Error) => err.name === 'AbortError');
  });

  test('a 2xx that is not JSON is an error with a sentence, not a null answer', async () => {
    await assert.rejects(apiRequest(`${base}/not-json`), (err: unknown) => err instanceof ApiError && /could not be read/.test(err.message));
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { probeBackend } from './health';

async function listen(server: http.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return (server.address() as AddressInfo).port;
}

test('a live backend on 4190, a port fetch refuses to reach, is reachable', async () => {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"activeBuilds":2}'));
  await listen(server, 4190);
  try {
    const h = await probeBackend('http://127.0.0.1:4190');
    assert.equal(h.reachable, true, h.error);
    assert.equal(h.activeBuilds, 2);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('any HTTP answer is reachable; a closed port and a silent one are not', async () => {
  const notOurs = http.createServer((_req, res) => res.writeHead(404).end('nope'));
  const port = await listen(notOurs);
  assert.deepEqual({ ...(await probeBackend(`http://127.0.0.1:${port}`)), ms: 0 }, { url: `http://127.0.0.1:${port}`, reachable: true, activeBuilds: undefined, ms: 0 });
  await new Promise((r) => notOurs.close(r));
  const refused = await probeBackend(`http://127.0.0.1:${port}`);
  assert.equal(refused.reachable, false);
  assert.equal(refused.error, 'ECONNREFUSED');

  const silent = http.createServer(() => undefined);
  const silentPort = await listen(silent);
  try {
    const h = await probeBackend(`http://127.0.0.1:${silentPort}`, 200);
    assert.equal(h.reachable, false);
    assert.match(h.error!, /no answer within 200 ms/);
  } finally {
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  }
});

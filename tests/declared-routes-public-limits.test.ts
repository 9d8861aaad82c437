import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { startEchoUpstream } from './helpers/upstreams';
import { routesFile } from './helpers/declared';

// A public route has no user to count sockets against, so each client address is one: behind a trusted
// proxy (nginx: every connection comes from its address) that is the address the proxy names, or one
// client could use up the limit of everyone behind it.

describe('socket limits on a public declared route', () => {
  let gw: TestGateway;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let routes: ReturnType<typeof routesFile>;
  const sockets: WebSocket[] = [];

  before(async () => {
    upstream = await startEchoUpstream();
    routes = routesFile();
    routes.write(`routes:\n  - { path: /pub/, upstream: ${upstream.url}, auth: public }\n`);
    gw = await startGateway({ ROUTES_FILE: routes.file, MAX_SOCKETS_PER_USER: '2', TRUSTED_PROXIES: '127.0.0.1,::1' });
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await gw?.close();
    await upstream?.close();
    routes?.remove();
  });

  const from = (address: string) => {
    const ws = gw.open('/pub/x', { headers: { 'x-forwarded-for': address } });
    sockets.push(ws);
    return ws;
  };

  test('are per client address as the trusted proxy names it', async () => {
    await opened(from('203.0.113.1'));
    await opened(from('203.0.113.1'));
    assert.deepEqual(await closed(from('203.0.113.1')), { code: 4429, reason: 'too many sockets from this address' });
    // Another client behind the same proxy is not refused for the first one's sockets.
    await opened(from('203.0.113.2'));
  });
});

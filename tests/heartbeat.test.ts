import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { closed, opened, startGateway } from './helpers/gateway';
import { startIdleTimeoutProxy } from './helpers/idle-proxy';

// The 60 s idle timeout that kills quiet sockets, scaled down: a proxy with a 300 ms idle timeout in
// front of the gateway. The build backend's heartbeat must keep an idle build socket alive through it.

const IDLE_MS = 300;

async function idleSocketThroughProxy(heartbeatMs: string) {
  const gw = await startGateway({ HEARTBEAT_MS: heartbeatMs });
  const { port } = new URL(gw.url);
  const proxy = await startIdleTimeoutProxy({ host: '127.0.0.1', port: Number(port) }, IDLE_MS);
  const { id } = await gw.createProject(gw.adminToken);
  // The proxy's address is not the server's own origin; a non-browser client sends no Origin.
  const ws = new WebSocket(`${proxy.url}/api/build/${id}?token=${gw.adminToken}`);
  await opened(ws);
  return { gw, proxy, ws };
}

test('an idle build socket survives 3× a proxy idle timeout when the heartbeat is shorter', async () => {
  const { gw, proxy, ws } = await idleSocketThroughProxy('100');
  try {
    let closedEarly = false;
    ws.once('close', () => (closedEarly = true));
    await new Promise((r) => setTimeout(r, 3 * IDLE_MS + 100));
    assert.equal(closedEarly, false);
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.equal(proxy.dropped, 0);
  } finally {
    ws.close();
    await closed(ws);
    await proxy.close();
    await gw.close();
  }
});

test('without a heartbeat shorter than the timeout, the same proxy drops the socket (the control)', async () => {
  const { gw, proxy, ws } = await idleSocketThroughProxy('5000');
  try {
    const started = Date.now();
    const c = await closed(ws);
    assert.equal(c.code, 1006);
    assert.equal(proxy.dropped, 1);
    assert.ok(Date.now() - started < 3 * IDLE_MS + 500);
  } finally {
    await proxy.close();
    await gw.close();
  }
});

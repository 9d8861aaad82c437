import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { joinProxiedPair, type ProxiedPair } from './proxied-socket';
import { createWsProxy, ignoreError, type WsProxy } from './ws-proxy';

// The library contract (issue 12.6): http-proxy-3 does the handshake and nothing more. ws-proxy.ts takes
// the pair over once the library emits 'open' and removes the pipes and listeners it left, because the
// relay (proxied-socket.ts) must be the only reader: a listener of the library left behind would read or
// write the same bytes a second time, or hold the handshake's objects for the socket's life. Which
// listeners the library adds is not part of its API, so the version is pinned exactly in package.json and
// this test fails if a new version leaves one we do not remove.

type Listeners = Map<string | symbol, Function[]>;
const listenersOf = (s: Socket): Listeners => new Map(s.eventNames().map((e) => [e, s.listeners(e)]));

// Every function the library ships, as text: a listener whose source is found here is the library's.
const librarySources = (() => {
  const root = path.dirname(require.resolve('http-proxy-3/package.json'));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.c?js$/.test(e.name)) files.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return files.join('\n');
})();

let upstreamServer: http.Server;
let gateway: http.Server;
let wsProxy: WsProxy;
let upstreamPort: number;
let gatewayUrl: string;
/** What a plain Node upgrade leaves on its socket, by event: the baseline for an upstream socket. */
let nodeOwn: Map<string | symbol, string[]>;
const pairs: ProxiedPair[] = [];

/** A handshake through createWsProxy; resolves with both sockets' listeners as they were before and at onOpen. */
type Seen = { clientBefore: Listeners; clientAtOpen: Listeners; upstreamAtOpen: Listeners };
let handshakes: ((s: Seen) => void)[] = [];

before(async () => {
  upstreamServer = http.createServer();
  const wss = new WebSocketServer({ server: upstreamServer, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  await new Promise<void>((r) => upstreamServer.listen(0, '127.0.0.1', r));
  upstreamPort = (upstreamServer.address() as AddressInfo).port;

  // The baseline, taken from Node itself: an upgrade made with http.request and no library in between.
  nodeOwn = await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: upstreamPort,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('error', reject);
    req.on('upgrade', (_res, socket: Socket) => {
      resolve(new Map(socket.eventNames().map((e) => [e, socket.listeners(e).map(String)])));
      socket.destroy();
    });
    req.end();
  });

  wsProxy = createWsProxy(5000);
  gateway = http.createServer();
  gateway.on('upgrade', (req, socket: Socket, head) => {
    // As the router does: its own error listener first, then the proxy.
    socket.on('error', () => undefined);
    const clientBefore = listenersOf(socket);
    const report = handshakes.shift()!;
    wsProxy.proxy(req, socket, head, new URL(`http://127.0.0.1:${upstreamPort}`), { aborted: false, onGone: () => () => undefined }, {
      onOpen(upstream) {
        report({ clientBefore, clientAtOpen: listenersOf(socket), upstreamAtOpen: listenersOf(upstream) });
        pairs.push(joinProxiedPair(socket, upstream));
      },
      onFail(code, reason) {
        throw new Error(`the proxied handshake failed: ${code} ${reason}`);
      },
      onAbort() {},
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gatewayUrl = `ws://127.0.0.1:${(gateway.address() as AddressInfo).port}/api/build/p1`;
});

after(async () => {
  await Promise.all(pairs.map((p) => p.close(1001, 'test over')));
  wsProxy.close();
  await new Promise((r) => gateway.close(r));
  upstreamServer.closeAllConnections();
  await new Promise((r) => upstreamServer.close(r));
});

async function openThroughProxy(): Promise<{ ws: WebSocket; seen: Seen }> {
  const seen = new Promise<Seen>((r) => handshakes.push(r));
  const ws = new WebSocket(gatewayUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, seen: await seen };
}

function echoOf(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.send(text);
  });
}

describe('createWsProxy after the handshake', () => {
  test('leaves no listener of http-proxy-3 on the client socket', async () => {
    const { ws, seen } = await openThroughProxy();
    for (const [event, fns] of seen.clientAtOpen) {
      const before = seen.clientBefore.get(event) ?? [];
      for (const fn of fns) {
        assert.ok(before.includes(fn), `the client socket gained a '${String(event)}' listener in the handshake: ${String(fn).slice(0, 120)}`);
      }
    }
    ws.close();
  });

  test('leaves only what Node itself puts on an upgraded socket, and our error listener, on the upstream socket', async () => {
    const { ws, seen } = await openThroughProxy();
    for (const [event, fns] of seen.upstreamAtOpen) {
      const node = nodeOwn.get(event) ?? [];
      for (const fn of fns) {
        if (fn === ignoreError && event === 'error') continue;
        assert.ok(node.includes(String(fn)), `the upstream socket has a '${String(event)}' listener Node does not leave there: ${String(fn).slice(0, 120)}`);
      }
    }
    ws.close();
  });

  test('no listener on either socket is a function of the library', async () => {
    const { ws, seen } = await openThroughProxy();
    for (const [side, listeners] of [['client', seen.clientAtOpen], ['upstream', seen.upstreamAtOpen]] as const) {
      for (const [event, fns] of listeners) {
        for (const fn of fns) assert.ok(!librarySources.includes(String(fn)), `${side} '${String(event)}' listener comes from http-proxy-3: ${String(fn).slice(0, 120)}`);
      }
    }
    ws.close();
  });

  test('the pair still relays both ways once it is ours, each message once', async () => {
    const { ws } = await openThroughProxy();
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    for (let i = 0; i < 20; i++) assert.equal(await echoOf(ws, `message ${i}`), `message ${i}`);
    const big = 'x'.repeat(256 * 1024);
    assert.equal(await echoOf(ws, big), big);
    // Nothing arrived twice (a reader of the library left behind would duplicate or swallow frames).
    assert.equal(got.length, 21);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.close(1000);
    assert.equal(await closed, 1000);
  });
});

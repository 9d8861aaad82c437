import http from 'node:http';
import net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { chooseSubprotocol } from '../../lib/net/ws-frames';

// Real servers standing in for the backends behind the gateway, each on 127.0.0.1 and an ephemeral port.

export type SeenUpgrade = { url: string; headers: http.IncomingHttpHeaders };

/** A WebSocket echo backend that records every handshake (and every plain HTTP request) it sees. */
export async function startEchoUpstream(opts: { greeting?: string } = {}) {
  const seen: SeenUpgrade[] = [];
  const seenHttp: SeenUpgrade[] = [];
  const sockets = new Set<WebSocket>();
  const server = http.createServer((req, res) => {
    seenHttp.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, handleProtocols: (p) => chooseSubprotocol(p) ?? false });
  wss.on('connection', (ws, req) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A greeting sent at once often shares a TCP segment with the 101 response: the proxy must relay it.
    if (opts.greeting) ws.send(opts.greeting);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await listen(server);
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    seen,
    seenHttp,
    sockets,
    /** Resolves with the next backend-side socket. */
    nextConnection: () => new Promise<WebSocket>((r) => wss.once('connection', (ws) => r(ws))),
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A port where nothing listens: connecting is refused at once. */
export async function refusedPort(): Promise<number> {
  const s = net.createServer();
  await listen(s);
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Accepts TCP connections and never answers, like a hung backend. */
export async function startSilentUpstream() {
  const conns = new Set<net.Socket>();
  const server = net.createServer((c) => {
    conns.add(c);
    c.on('error', () => undefined);
    c.on('close', () => conns.delete(c));
  });
  await listen(server);
  return {
    url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    async close() {
      for (const c of conns) c.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

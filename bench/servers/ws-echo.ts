import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { announceReady } from './ready';

// The backend behind every build-path target, and the "direct" target itself: a `ws` echo server that
// accepts any path and selects the first offered subprotocol.

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  clientTracking: false,
  handleProtocols: (p) => p.values().next().value ?? false,
});
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(0, '127.0.0.1', () => announceReady((server.address() as AddressInfo).port));

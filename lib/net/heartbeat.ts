import type { WebSocket } from 'ws';

/**
 * Pings every `intervalMs` and ends a socket that did not answer the previous ping: the traffic keeps
 * idle sockets alive through proxies that close quiet connections, and a vanished peer is noticed
 * within two intervals. Any message from the peer also counts as alive. Stops when the socket closes.
 */
export function keepAlive(ws: WebSocket, intervalMs: number): void {
  let alive = true;
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, intervalMs);
  const mark = () => (alive = true);
  ws.on('pong', mark);
  ws.on('message', mark);
  ws.once('close', () => clearInterval(timer));
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocketServer } from 'ws';
import { chooseSubprotocol, closeReason } from '../net/ws-frames';

// A browser cannot read the HTTP status of a refused handshake (it only ever sees 1006), so every refusal
// after routing completes the handshake and closes at once with a code from the table. No server is
// attached: this instance only performs handshakes.
const handshaker = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  // Selecting one of the offered subprotocols is required: a browser that offered `binary` (noVNC) and
  // got none back fails the handshake and shows 1006 instead of our code.
  handleProtocols: (protocols) => chooseSubprotocol(protocols) ?? false,
});

// How long to wait for the client's answering close frame before dropping the TCP connection.
const CLOSE_GRACE_MS = 2000;

export function rejectWithClose(
  req: IncomingMessage,
  socket: Duplex,
  code: number,
  reason: string,
  onClosed?: () => void,
): void {
  if (onClosed) socket.once('close', onClosed);
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  handshaker.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    timer.unref();
    ws.on('error', () => undefined);
    ws.once('close', () => clearTimeout(timer));
    ws.close(code, closeReason(reason));
  });
}

/** A plain HTTP refusal for upgrades no route claims: status, a JSON sentence, and the socket destroyed. */
export function rejectWithStatus(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
  );
  // end() flushes the answer; destroy shortly after so a client that never reads cannot hold the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}

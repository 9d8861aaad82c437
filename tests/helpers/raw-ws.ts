import net from 'node:net';
import { OP, decodeClose, decodeFrames, encodeFrame, newClientKey } from '../../lib/net/ws-frames';

// A WebSocket client made of a bare TCP socket, for peers a real client library would never be: one
// that floods pings, or stops reading while the server keeps writing.

/** Opens `path` on the gateway and resolves once the 101 is in, with the socket paused (reading nothing). */
export function rawWebSocket(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<net.Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    socket.on('error', reject);
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      const status = got.subarray(0, got.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101/.test(status)) return reject(new Error(`no upgrade: ${status}`));
      // Bytes after the 101 (a first message) go back so whoever reads next sees them.
      if (got.length > end + 4) socket.unshift(got.subarray(end + 4));
      resolve(socket);
    };
    socket.on('data', onData);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${newClientKey()}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    );
  });
}

/** One masked client frame (RFC 6455 5.3). */
export function clientFrame(opcode: number, payload: Buffer | string): Buffer {
  return encodeFrame(opcode, payload, { mask: true });
}

export type FloodResult = {
  sent: number;
  /** The server ended the connection (FIN, reset or a failed write) before `timeoutMs`. */
  closedByServer: boolean;
  /** The close frame the server sent, if one arrived. */
  close?: { code: number; reason: string };
};

/**
 * Writes `frame` over and over, up to `totalBytes`, reading nothing meanwhile and respecting only its own
 * socket's backpressure (so the test process does not buffer the flood itself). Then it reads what comes
 * back, frame by frame, to learn how the server ended the connection. Resolves once the server ends it,
 * or after `timeoutMs` with the connection still open.
 */
export function flood(socket: net.Socket, frame: Buffer, totalBytes: number, timeoutMs: number): Promise<FloodResult> {
  const batch = Buffer.concat(Array.from({ length: Math.max(1, Math.floor(65536 / frame.length)) }, () => frame));
  return new Promise((resolve) => {
    let sent = 0;
    let finished = false;
    let close: FloodResult['close'];
    const finish = (closedByServer: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ sent, closedByServer, close });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('end', () => finish(true));
    // Server frames are unmasked; only the close frame's payload matters, the rest is skipped.
    let pending: Buffer = Buffer.alloc(0);
    const read = (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const { frames, rest } = decodeFrames(pending);
      pending = rest;
      const frame = frames.find((f) => f.header.opcode === OP.CLOSE);
      if (frame && !close) close = decodeClose(frame.payload);
    };
    const pump = () => {
      while (!finished && sent < totalBytes && !socket.destroyed) {
        sent += batch.length;
        if (!socket.write(batch)) return void socket.once('drain', pump);
      }
      socket.on('data', read);
      socket.resume();
    };
    pump();
  });
}

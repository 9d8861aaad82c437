import net from 'node:net';
import { encodeFrame, newClientKey } from '../../lib/net/ws-frames';

// Hand-made WebSocket clients on raw sockets, for the abuse tests: they can leave at any byte, stop
// reading, or send what a library would never send.

/** Opens a TCP connection to the gateway and sends a WebSocket upgrade request for `pathname`. */
export function rawUpgrade(baseUrl: string, pathname: string): net.Socket {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${newClientKey()}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n`,
  );
  return socket;
}

/** Resolves with everything received once `done` says it is enough. */
export function readUntil(socket: net.Socket, done: (got: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (!done(got)) return;
      socket.off('data', onData).off('close', onClose);
      resolve(got);
    };
    const onClose = () => reject(new Error(`closed after ${got.length} bytes: ${got.toString('latin1').slice(0, 200)}`));
    socket.on('data', onData).on('close', onClose);
  });
}

/** A masked client frame (RFC 6455 5.2). */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  return encodeFrame(opcode, payload, { mask: true });
}

/** A TCP server that accepts and never writes a byte (a stopped VM), counting the connections it holds open. */
export async function startSilentVm() {
  const open = new Set<net.Socket>();
  const server = net.createServer((c) => {
    open.add(c);
    // Reads (and drops) what it is sent, or a FIN behind unread bytes would never show as a close here.
    c.resume();
    c.on('error', () => undefined);
    c.on('close', () => open.delete(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    get openConnections() {
      return open.size;
    },
    get accepted() {
      return server.connections;
    },
    close: () => {
      for (const c of open) c.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

export async function waitUntil(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

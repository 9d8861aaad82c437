import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { CLOSE, closeReason } from '../errors/close-codes';

// WebSocket binary frames ↔ a plain TCP VNC server (what websockify does, in process). The TCP side is
// connected first, so an unreachable VM is reported as 1014 through a completed handshake.

// Backpressure bounds: stop reading from the VM while this much is queued towards a slow browser, and
// resume once it has drained below the low mark. Memory per bridge stays near HIGH_WATER at worst.
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  maxPayload: 16 * 1024 * 1024,
  // noVNC offers `binary`; select it (or whatever was offered first) so the browser accepts the handshake.
  handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : (protocols.values().next().value ?? false)),
});

export type BridgeEnd = { endedBy: 'client' | 'upstream' | 'gateway'; code: number | undefined; bytesIn: number; bytesOut: number };
export type Bridge = { close(code: number, reason: string): Promise<void>; done: Promise<BridgeEnd> };

export function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const tcp = net.connect({ host, port, noDelay: true, keepAlive: true });
    const timer = setTimeout(() => tcp.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    tcp.once('connect', () => {
      clearTimeout(timer);
      tcp.removeAllListeners('error');
      resolve(tcp);
    });
    tcp.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Completes the client's handshake and joins it to an already connected TCP socket. */
export function bridge(req: IncomingMessage, socket: Duplex, head: Buffer, tcp: net.Socket): Promise<Bridge | null> {
  return new Promise((resolve) => {
    const onEarlyClose = () => {
      tcp.destroy();
      resolve(null);
    };
    socket.once('close', onEarlyClose);
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', onEarlyClose);
      resolve(join(ws, tcp));
    });
  });
}

function join(ws: WebSocket, tcp: net.Socket): Bridge {
  let bytesIn = 0;
  let bytesOut = 0;
  let queued = 0;
  let endedBy: BridgeEnd['endedBy'] | undefined;
  let code: number | undefined;
  let resolveDone!: (e: BridgeEnd) => void;
  const done = new Promise<BridgeEnd>((r) => (resolveDone = r));

  tcp.on('data', (chunk: Buffer) => {
    queued += chunk.length;
    bytesOut += chunk.length;
    if (queued >= HIGH_WATER) tcp.pause();
    ws.send(chunk, { binary: true }, () => {
      queued -= chunk.length;
      if (queued <= LOW_WATER && tcp.isPaused() && !tcp.destroyed) tcp.resume();
    });
  });
  ws.on('message', (data: Buffer, isBinary) => {
    const chunk = isBinary ? data : Buffer.from(data.toString(), 'utf8');
    bytesIn += chunk.length;
    if (!tcp.write(chunk)) {
      ws.pause();
      tcp.once('drain', () => ws.resume());
    }
  });

  tcp.on('error', () => undefined);
  ws.on('error', () => undefined);
  tcp.once('close', () => {
    if (ws.readyState === WebSocket.OPEN) {
      endedBy ??= 'upstream';
      code ??= CLOSE.BAD_GATEWAY;
      ws.close(CLOSE.BAD_GATEWAY, 'the VM closed the connection');
      setTimeout(() => ws.terminate(), 1000).unref();
    }
  });
  ws.once('close', (c) => {
    endedBy ??= 'client';
    code ??= c;
    tcp.destroy();
    resolveDone({ endedBy, code, bytesIn, bytesOut });
  });

  return {
    done,
    close(c, reason) {
      if (ws.readyState === WebSocket.OPEN) {
        endedBy = 'gateway';
        code = c;
        ws.close(c, closeReason(reason));
        setTimeout(() => ws.terminate(), 1000).unref();
      }
      return done.then(() => undefined);
    },
  };
}

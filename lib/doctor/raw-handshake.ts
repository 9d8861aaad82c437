import net from 'node:net';
import tls from 'node:tls';
import { OP, acceptKey, decodeClose, decodeFrames, newClientKey } from '../net/ws-frames';

// The upgrade as bytes on the wire, without a WebSocket library smoothing anything over: what status
// came back, with which headers, and whether a close frame followed at once.

export type RawAnswer = {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  acceptValid: boolean;
  /** The close code the server sent straight after a 101, if it did. */
  closeCode?: number;
  closeReason?: string;
  body: string;
};

export function rawUpgrade(url: URL, opts: { timeoutMs: number; origin?: string; protocols?: string[] }): Promise<RawAnswer> {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const port = Number(url.port || (secure ? 443 : 80));
  const key = newClientKey();
  const expectedAccept = acceptKey(key);
  return new Promise((resolve, reject) => {
    const socket = secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }) : net.connect(port, url.hostname);
    let buf = Buffer.alloc(0);
    let answer: RawAnswer | null = null;
    const timer = setTimeout(() => finish(answer ? null : new Error(`no answer to the upgrade within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    function finish(err: Error | null) {
      clearTimeout(timer);
      socket.destroy();
      if (answer) resolve(answer);
      else reject(err ?? new Error('the connection closed before any answer'));
    }
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const lines = [
        `GET ${url.pathname}${url.search} HTTP/1.1`,
        `Host: ${url.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        ...(opts.protocols?.length ? [`Sec-WebSocket-Protocol: ${opts.protocols.join(', ')}`] : []),
        ...(opts.origin ? [`Origin: ${opts.origin}`] : []),
      ];
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!answer) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(head[0]) ?? [];
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        answer = { status: Number(m[1] ?? 0), statusText: m[2] ?? '', headers, acceptValid: headers['sec-websocket-accept'] === expectedAccept, body: '' };
        buf = buf.subarray(end + 4);
        if (answer.status !== 101) {
          answer.body = buf.toString('utf8').slice(0, 500);
          // A refusal may keep the connection alive: take what body arrives promptly and stop.
          setTimeout(() => finish(null), 300).unref();
          return;
        }
        // A gateway that refuses after the handshake closes at once; give it a moment to say why.
        setTimeout(() => finish(null), 1500).unref();
      }
      if (answer.status !== 101) {
        answer.body = (answer.body + d.toString('utf8')).slice(0, 500);
        return;
      }
      // Whole frames only: a close frame split across reads waits for its rest in `buf`.
      const { frames, rest } = decodeFrames(buf);
      buf = Buffer.from(rest);
      const close = frames.find((f) => f.header.opcode === OP.CLOSE);
      if (close) {
        const { code, reason } = decodeClose(close.payload);
        answer.closeCode = code;
        answer.closeReason = reason;
        finish(null);
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(null));
  });
}

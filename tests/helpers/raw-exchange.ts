import net from 'node:net';

// One request written byte for byte on a raw TCP socket, and what the server did about it: an HTTP answer
// (its status), a completed handshake followed by a close frame (its code), a handshake that stayed open,
// a connection dropped without a word, or nothing at all within the time allowed. The abuse suite judges
// every hostile request by this outcome, so it reads the bytes itself rather than trusting a client
// library to be lenient or strict in the same way the server is.

export type Outcome =
  | { kind: 'http'; status: number; head: string }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'open' }
  | { kind: 'hangup'; bytes: number }
  | { kind: 'timeout'; bytes: number };

export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'http':
      return `HTTP ${o.status}`;
    case 'close':
      return `close ${o.code}${o.reason ? ` (${o.reason})` : ''}`;
    case 'open':
      return 'open';
    case 'hangup':
      return `hangup after ${o.bytes} bytes`;
    case 'timeout':
      return `no answer (${o.bytes} bytes)`;
  }
}

export type ExchangeOptions = {
  /** Give up after this long without a complete answer. */
  timeoutMs?: number;
  /** After a 101, wait this long for a close frame before calling the socket open. */
  openAfterMs?: number;
  /** Bytes to send once the handshake completed (client frames, already masked). */
  afterOpen?: Buffer;
};

export function rawExchange(base: string, request: Buffer | string, opts: ExchangeOptions = {}): Promise<Outcome> {
  const { hostname, port } = new URL(base);
  const timeoutMs = opts.timeoutMs ?? 2000;
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    let upgraded = false;
    let openTimer: NodeJS.Timeout | undefined;
    const s = net.connect(Number(port), hostname);
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(openTimer);
      s.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', bytes: buf.length }), timeoutMs);
    s.on('connect', () => s.write(request));
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buf.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      if (status !== 101) return finish({ kind: 'http', status, head });
      if (!upgraded) {
        upgraded = true;
        if (opts.afterOpen) s.write(opts.afterOpen);
        if (opts.openAfterMs !== undefined) openTimer = setTimeout(() => finish({ kind: 'open' }), opts.openAfterMs);
      }
      const close = findClose(buf.subarray(end + 4));
      if (close) finish({ kind: 'close', ...close });
    });
    s.on('close', () => finish({ kind: 'hangup', bytes: buf.length }));
  });
}

/** The first close frame among server → client frames (unmasked), if it has arrived whole. */
export function findClose(frames: Buffer): { code: number; reason: string } | null {
  let off = 0;
  while (off + 2 <= frames.length) {
    const opcode = frames[off] & 0x0f;
    let len = frames[off + 1] & 0x7f;
    let header = 2;
    if (len === 126) {
      if (off + 4 > frames.length) return null;
      len = frames.readUInt16BE(off + 2);
      header = 4;
    } else if (len === 127) {
      if (off + 10 > frames.length) return null;
      len = Number(frames.readBigUInt64BE(off + 2));
      header = 10;
    }
    if (off + header + len > frames.length) return null;
    if (opcode === 0x8) {
      const payload = frames.subarray(off + header, off + header + len);
      return { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') };
    }
    off += header + len;
  }
  return null;
}

/** A client → server frame (masked, as RFC 6455 requires of clients). */
export function clientFrame(opcode: number, payload: Buffer = Buffer.alloc(0), opts: { fin?: boolean; mask?: boolean } = {}): Buffer {
  const mask = opts.mask ?? true;
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + ext + (mask ? 4 : 0) + n);
  frame[0] = ((opts.fin ?? true) ? 0x80 : 0) | opcode;
  frame[1] = (mask ? 0x80 : 0) | (ext === 0 ? n : ext === 2 ? 126 : 127);
  if (ext === 2) frame.writeUInt16BE(n, 2);
  if (ext === 8) frame.writeBigUInt64BE(BigInt(n), 2);
  const at = 2 + ext;
  const key = mask ? Buffer.from([0x12, 0x34, 0x56, 0x78]) : null;
  if (key) key.copy(frame, at);
  const start = at + (key ? 4 : 0);
  for (let i = 0; i < n; i++) frame[start + i] = key ? payload[i] ^ key[i & 3] : payload[i];
  return frame;
}

/** A well-formed upgrade request, with any header replaced or removed (value null). */
export function upgradeRequest(base: string, path: string, headers: Record<string, string | null> = {}, method = 'GET'): string {
  const { host } = new URL(base);
  const all: Record<string, string | null> = {
    Host: host,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

import { createHash, randomBytes } from 'node:crypto';

// The one module of RFC 6455 framing, for every place that speaks WebSocket below a library: the proxied
// pair, the VNC bridge, the refusals, the doctor's raw handshake and the tests' raw clients. It finds
// frame boundaries in a stream without copying payloads, notices close frames (to log their code),
// unmasks a payload where it lies, encodes frames of our own, answers a handshake (accept key,
// subprotocol) and cuts close reasons on a UTF-8 boundary. The gateway pipes raw bytes; it needs
// boundaries only so that a close frame it injects at shutdown never lands in the middle of a frame that
// is still being relayed.

export const OP = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export class FrameTracker {
  /** Payload bytes (and header bytes) of the current frame still to pass; 0 means at a boundary. */
  private remaining = 0;
  private header: Buffer | null = null;
  /** Code of the first close frame seen in this direction, if any. */
  closeCode: number | undefined;
  /** The first close frame's code as it arrives (it may come in a later read than its header), unmasked. */
  private closeHead: number[] | null = null;
  private closeMask: readonly number[] = NO_MASK;

  get atBoundary(): boolean {
    return this.remaining === 0 && this.header === null;
  }

  get pending(): number {
    return this.remaining;
  }

  // On the proxied path this runs for every chunk in both directions, so it reads headers where they lie
  // and allocates nothing unless a header is split across two reads.
  consume(chunk: Buffer): void {
    let off = 0;
    const n = chunk.length;
    while (off < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - off);
        if (this.closeHead !== null) this.collectCloseCode(chunk, off, off + take);
        this.remaining -= take;
        off += take;
        continue;
      }
      if (this.header !== null) {
        // The start of a header came with the last read: join only what a header can still need.
        const held = this.header.length;
        const joined = Buffer.concat([this.header, chunk.subarray(off, off + MAX_HEADER - held)]);
        const used = this.startFrame(joined, 0);
        if (used < 0) {
          this.header = joined;
          return;
        }
        this.header = null;
        off += used - held;
        continue;
      }
      const used = this.startFrame(chunk, off);
      if (used < 0) {
        this.header = Buffer.from(chunk.subarray(off));
        return;
      }
      off += used;
    }
  }

  /** Reads the frame header at b[off]: its length (and the frame's payload is now `remaining`), or -1 if incomplete. */
  private startFrame(b: Buffer, off: number): number {
    const avail = b.length - off;
    if (avail < 2) return -1;
    const second = b[off + 1];
    const masked = (second & 0x80) !== 0;
    let payloadLength = second & 0x7f;
    let headerLength = 2;
    if (payloadLength === 126) {
      if (avail < 4) return -1;
      payloadLength = (b[off + 2] << 8) | b[off + 3];
      headerLength = 4;
    } else if (payloadLength === 127) {
      if (avail < 10) return -1;
      payloadLength = b.readUInt32BE(off + 2) * 2 ** 32 + b.readUInt32BE(off + 6);
      headerLength = 10;
    }
    if (masked) headerLength += 4;
    if (avail < headerLength) return -1;
    if ((b[off] & 0x0f) === 0x8 && this.closeCode === undefined && this.closeHead === null) {
      if (payloadLength < 2) this.closeCode = 1005;
      else {
        this.closeHead = [];
        this.closeMask = masked ? [b[off + headerLength - 4], b[off + headerLength - 3]] : NO_MASK;
      }
    }
    this.remaining = payloadLength;
    return headerLength;
  }

  private collectCloseCode(b: Buffer, from: number, to: number): void {
    const head = this.closeHead!;
    for (let i = from; i < to && head.length < 2; i++) head.push(b[i] ^ this.closeMask[head.length]);
    if (head.length < 2) return;
    this.closeCode = (head[0] << 8) | head[1];
    this.closeHead = null;
  }
}

// Shared by every tracker: one per proxied socket direction, so nothing per instance that need not be.
const NO_MASK: readonly number[] = [0, 0];

// A frame header is at most 2 + 8 (length) + 4 (mask) bytes.
const MAX_HEADER = 14;

export type Header = { fin: boolean; opcode: number; masked: boolean; headerLength: number; payloadLength: number };

/** The frame header at the start of `b`, or null when `b` does not hold all of it yet. */
export function parseHeader(b: Buffer): Header | null {
  if (b.length < 2) return null;
  const fin = (b[0] & 0x80) !== 0;
  const opcode = b[0] & 0x0f;
  const masked = (b[1] & 0x80) !== 0;
  let len = b[1] & 0x7f;
  let headerLength = 2;
  if (len === 126) {
    if (b.length < 4) return null;
    len = b.readUInt16BE(2);
    headerLength = 4;
  } else if (len === 127) {
    if (b.length < 10) return null;
    len = Number(b.readBigUInt64BE(2));
    headerLength = 10;
  }
  if (masked) headerLength += 4;
  if (b.length < headerLength) return null;
  return { fin, opcode, masked, headerLength, payloadLength: len };
}

// The masking key laid out for a 32-bit XOR, in a buffer of its own so that it is 4-byte aligned.
const wordMask = new Uint8Array(4);
const wordMask32 = new Uint32Array(wordMask.buffer);

/**
 * XORs buf[start, end) in place with the 4-byte masking key (RFC 6455 5.3), starting at key byte
 * `phase`; returns the phase for the byte after `end`, so a payload split across reads continues where
 * it left off. Four bytes at a time where the buffer is aligned: a byte loop costs the bridge several
 * times more per megabyte than the socket it reads from.
 */
export function unmask(buf: Buffer, start: number, end: number, mask: Uint8Array, phase: number): number {
  if ((mask[0] | mask[1] | mask[2] | mask[3]) === 0) return (phase + end - start) & 3;
  let i = start;
  while (i < end && ((buf.byteOffset + i) & 3) !== 0) {
    buf[i++] ^= mask[phase];
    phase = (phase + 1) & 3;
  }
  const words = (end - i) >>> 2;
  if (words > 0) {
    for (let k = 0; k < 4; k++) wordMask[k] = mask[(phase + k) & 3];
    const m = wordMask32[0];
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] ^= m;
    i += words * 4;
  }
  while (i < end) {
    buf[i++] ^= mask[phase];
    phase = (phase + 1) & 3;
  }
  return phase;
}

// A close frame's payload is at most 125 bytes: the 2-byte code and up to 123 bytes of reason.
const MAX_REASON_BYTES = 123;

/** `text` cut to fit a close frame, on a UTF-8 boundary so the frame stays valid. */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= MAX_REASON_BYTES ? text : bytes.subarray(0, utf8Boundary(bytes, MAX_REASON_BYTES)).toString('utf8');
}

/** The largest end ≤ `max` that does not split a UTF-8 sequence of `bytes`. */
function utf8Boundary(bytes: Uint8Array, max: number): number {
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return end;
}

function headerSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes a final frame's header at b[0]; the masking key, if any, goes right after it. */
function writeHeader(b: Buffer, opcode: number, length: number, masked: boolean): number {
  const maskBit = masked ? 0x80 : 0;
  b[0] = 0x80 | opcode;
  if (length < 126) {
    b[1] = maskBit | length;
    return 2;
  }
  if (length < 65536) {
    b[1] = maskBit | 126;
    b.writeUInt16BE(length, 2);
    return 4;
  }
  b[1] = maskBit | 127;
  b.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  b.writeUInt32BE(length >>> 0, 6);
  return 10;
}

/** The header of a final frame of `length` payload bytes (for a payload written beside it, not copied). */
export function frameHeader(opcode: number, length: number, masked = false): Buffer {
  const h = Buffer.allocUnsafe(headerSize(length));
  writeHeader(h, opcode, length, masked);
  return h;
}

/**
 * One final frame, header and payload in one buffer. Unmasked is server → client; `mask: true` masks it
 * with a fresh random key, as every client → server frame must be (RFC 6455 5.3).
 */
export function encodeFrame(opcode: number, payload: Buffer | string = Buffer.alloc(0), opts: { mask?: boolean } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const masked = opts.mask === true;
  const frame = Buffer.allocUnsafe(headerSize(body.length) + (masked ? 4 : 0) + body.length);
  let off = writeHeader(frame, opcode, body.length, masked);
  if (!masked) {
    body.copy(frame, off);
    return frame;
  }
  const key = randomBytes(4);
  key.copy(frame, off);
  off += 4;
  body.copy(frame, off);
  unmask(frame, off, frame.length, key, 0);
  return frame;
}

/** A close frame carrying code and reason (cut to fit on a UTF-8 boundary); masked when we speak as a client. */
export function closeFrame(code: number, reason: string, opts: { mask?: boolean } = {}): Buffer {
  const text = Buffer.from(closeReason(reason), 'utf8');
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return encodeFrame(OP.CLOSE, payload, opts);
}

/** A close frame's payload read back: 1005 when it carries no code (RFC 6455 7.1.5). */
export function decodeClose(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

/** Every whole frame at the start of `b` and the bytes left over; masked payloads are unmasked in place. */
export function decodeFrames(b: Buffer): { frames: { header: Header; payload: Buffer }[]; rest: Buffer } {
  const frames: { header: Header; payload: Buffer }[] = [];
  let off = 0;
  for (;;) {
    const header = parseHeader(b.subarray(off));
    if (!header || b.length - off < header.headerLength + header.payloadLength) break;
    const start = off + header.headerLength;
    const payload = b.subarray(start, start + header.payloadLength);
    if (header.masked) unmask(payload, 0, payload.length, b.subarray(start - 4, start), 0);
    frames.push({ header, payload });
    off = start + header.payloadLength;
  }
  return { frames, rest: b.subarray(off) };
}

// RFC 6455 4.2.2: the accept key is the SHA-1 of the client's key and this GUID.
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key, for when we are the client. */
export function newClientKey(): string {
  return randomBytes(16).toString('base64');
}

/** Whether a Sec-WebSocket-Key is one a client may send: 16 bytes in base64. */
export function isClientKey(key: string | undefined): key is string {
  return key !== undefined && /^[+/0-9A-Za-z]{22}==$/.test(key);
}

/**
 * The subprotocol to select from what the client offered (a header value, or ws's parsed set): the first
 * of `preferred` that was offered, else the first offered. A browser that offered one and got none back
 * fails the handshake and reports 1006 instead of our close code, so when something was offered
 * something is always chosen.
 */
export function chooseSubprotocol(offered: string | Iterable<string> | undefined, preferred: readonly string[] = []): string | undefined {
  const list = typeof offered === 'string' ? offered.split(',') : offered ? [...offered] : [];
  const names = list.map((p) => p.trim()).filter(Boolean);
  return preferred.find((p) => names.includes(p)) ?? names[0];
}

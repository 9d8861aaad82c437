// Just enough of RFC 6455 framing for a byte-level proxy and the VNC bridge: find frame boundaries in a
// stream without copying payloads, notice close frames (to log their code), unmask a payload where it
// lies, and build a close frame of our own. The gateway pipes raw bytes; it needs boundaries only so
// that a close frame it injects at shutdown never lands in the middle of a frame that is still being
// relayed.

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

/** An unmasked (server → client) close frame carrying code and reason. */
export function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

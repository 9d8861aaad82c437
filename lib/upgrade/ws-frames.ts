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

  get atBoundary(): boolean {
    return this.remaining === 0 && this.header === null;
  }

  get pending(): number {
    return this.remaining;
  }

  consume(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - off);
        this.remaining -= take;
        off += take;
        continue;
      }
      // Gather a complete header (2..14 bytes) before deciding the frame length.
      const avail = this.header ? Buffer.concat([this.header, chunk.subarray(off)]) : chunk.subarray(off);
      const parsed = parseHeader(avail);
      if (!parsed) {
        this.header = Buffer.from(avail.subarray(0, Math.min(avail.length, 14)));
        return;
      }
      const fromHeader = this.header ? this.header.length : 0;
      this.header = null;
      if (parsed.opcode === 0x8 && this.closeCode === undefined) {
        this.closeCode = readCloseCode(avail, parsed) ?? 1005;
      }
      off += parsed.headerLength - fromHeader;
      this.remaining = parsed.payloadLength;
    }
  }
}

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

function readCloseCode(b: Buffer, h: Header): number | undefined {
  if (h.payloadLength < 2 || b.length < h.headerLength + 2) return undefined;
  let hi = b[h.headerLength];
  let lo = b[h.headerLength + 1];
  if (h.masked) {
    hi ^= b[h.headerLength - 4];
    lo ^= b[h.headerLength - 3];
  }
  return (hi << 8) | lo;
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

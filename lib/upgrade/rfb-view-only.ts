// The client → server half of RFB (RFC 6143 plus the TigerVNC / QEMU / noVNC extensions noVNC sends), read
// for a viewer who came through a share link (lib/sessions/session-shares.ts). The bridge hands it each
// payload piece as it arrives and writes what comes back to the VM:
// - ClientInit's shared-flag is always 1, so a viewer never disconnects the owner (an exclusive ClientInit
//   makes the server drop every other client);
// - for a view-only viewer every message that acts on the desktop (KeyEvent, PointerEvent, ClientCutText,
//   SetDesktopSize, QEMU key events, XVP power operations) is dropped here, on the server: the viewer's UI
//   locking input is a courtesy, this is the rule;
// - SetEncodings is held whole and rewritten without ExtendedMouseButtons, because with it a PointerEvent
//   may be 6 or 7 bytes depending on what the *server* answered, which this half of the stream cannot see;
// - anything else (an unknown type, a malformed length, a security type whose data this parser does not
//   know) ends the socket with 4400 and a sentence saying what came.
// Memory is bounded: at most one message header (SetEncodings: 4 + 4 × MAX_ENCODINGS bytes) is ever held;
// every body is streamed through or skipped as it arrives.

import type { ShareRights } from '../protocol/api';

export type { ShareRights } from '../protocol/api';

export const MAX_ENCODINGS = 256;
/** A longer ClientCutText is not a clipboard a person pasted (TigerVNC's own default cap is 256 KiB). */
export const MAX_CUT_TEXT = 16 * 1024 * 1024;
/** noVNC's fences carry at most 64 bytes (RFB "Fence": the payload length is at most 64). */
const MAX_FENCE = 64;

const ENCODING_EXTENDED_MOUSE_BUTTONS = -316;

export type FilterResult = { ok: true; out: Buffer[] } | { ok: false; reason: string };

type State = 'version' | 'security' | 'vnc-auth' | 'init' | 'messages' | 'failed';

// Each client message: how many bytes to hold before its length is known (given what is held), its whole
// length, and whether it acts on the desktop (dropped for view-only).
type Kind = { name: string; head(held: Buffer): number; total(h: Buffer): number | string; input: boolean };

const fixed = (name: string, n: number, input = false): Kind => ({ name, head: () => 1, total: () => n, input });

const MESSAGES: Record<number, Kind> = {
  0: fixed('SetPixelFormat', 20),
  2: {
    name: 'SetEncodings',
    // Held whole: 4 bytes, then the count says how much more.
    head: (h) => (h.length < 4 ? 4 : 4 + 4 * h.readUInt16BE(2)),
    total: (h) => (h.readUInt16BE(2) > MAX_ENCODINGS ? `SetEncodings lists ${h.readUInt16BE(2)} encodings (at most ${MAX_ENCODINGS})` : 4 + 4 * h.readUInt16BE(2)),
    input: false,
  },
  3: fixed('FramebufferUpdateRequest', 10),
  4: fixed('KeyEvent', 8, true),
  5: fixed('PointerEvent', 6, true),
  6: {
    name: 'ClientCutText',
    head: () => 8,
    // A negative length is the extended clipboard (its absolute value is the length of what follows).
    total: (h) => {
      const n = Math.abs(h.readInt32BE(4));
      return n > MAX_CUT_TEXT ? `ClientCutText of ${n} bytes (at most ${MAX_CUT_TEXT})` : 8 + n;
    },
    input: true,
  },
  150: fixed('EnableContinuousUpdates', 10),
  248: {
    name: 'ClientFence',
    head: () => 9,
    total: (h) => (h[8] > MAX_FENCE ? `ClientFence with ${h[8]} bytes of payload (at most ${MAX_FENCE})` : 9 + h[8]),
    input: false,
  },
  250: fixed('XVP', 4, true),
  251: { name: 'SetDesktopSize', head: () => 8, total: (h) => 8 + 16 * h[6], input: true },
  255: {
    name: 'QEMU',
    head: () => 4,
    total: (h) => {
      if (h[1] === 0) return 12; // extended key event
      if (h[1] === 1) return h.readUInt16BE(2) === 2 ? 10 : h.readUInt16BE(2) <= 1 ? 4 : `QEMU audio operation ${h.readUInt16BE(2)}`;
      return `QEMU message subtype ${h[1]}`;
    },
    input: true,
  },
};

const VERSION = /^RFB 003\.00[78]\n$/;

export class RfbClientFilter {
  private state: State = 'version';
  private readonly held = Buffer.alloc(4 + 4 * MAX_ENCODINGS);
  private heldLength = 0;
  /** Body bytes of the current message still to come, and whether they go to the VM. */
  private body = 0;
  private dropping = false;

  constructor(readonly rights: ShareRights) {}

  /** The bytes of `chunk` (and anything held from before) that go to the VM, or why the socket must end. */
  push(chunk: Buffer): FilterResult {
    if (this.state === 'failed') return { ok: false, reason: 'the RFB stream already broke the rules' };
    const out: Buffer[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.body > 0) {
        const n = Math.min(this.body, chunk.length - off);
        if (!this.dropping) keep(out, chunk.subarray(off, off + n));
        this.body -= n;
        off += n;
        continue;
      }
      // Hold header bytes until the state (or the message) knows how many it needs; that number may grow
      // once the first bytes say more (SetEncodings' count).
      let need = this.need(chunk[off]);
      if (typeof need === 'string') return this.fail(need);
      while (this.heldLength < need && off < chunk.length) {
        const take = Math.min(need - this.heldLength, chunk.length - off);
        chunk.copy(this.held, this.heldLength, off, off + take);
        this.heldLength += take;
        off += take;
        if (this.heldLength === need) {
          const again = this.need(this.held[0]);
          if (typeof again === 'string') return this.fail(again);
          need = again;
        }
      }
      if (this.heldLength < need) break;
      const problem = this.complete(this.held.subarray(0, this.heldLength), out);
      this.heldLength = 0;
      if (problem) return this.fail(problem);
    }
    return { ok: true, out };
  }

  private need(first: number): number | string {
    switch (this.state) {
      case 'version':
        return 12;
      case 'security':
      case 'init':
        return 1;
      case 'vnc-auth':
        return 16;
      case 'messages': {
        const type = this.heldLength > 0 ? this.held[0] : first;
        const kind = MESSAGES[type];
        if (!kind) return `unknown RFB message type ${type}`;
        const n = kind.head(this.held.subarray(0, this.heldLength));
        return n > this.held.length ? `SetEncodings lists more than ${MAX_ENCODINGS} encodings` : n;
      }
      default:
        return 'the RFB stream already broke the rules';
    }
  }

  /** A whole header (or handshake step) is held: say what goes on, and move on. */
  private complete(h: Buffer, out: Buffer[]): string | null {
    switch (this.state) {
      case 'version':
        if (!VERSION.test(h.toString('latin1'))) return `RFB version ${JSON.stringify(h.toString('latin1').trim())} cannot be shared (3.7 or 3.8 only)`;
        this.state = 'security';
        out.push(Buffer.from(h));
        return null;
      case 'security':
        // None, or VNC authentication's 16-byte response; other types carry data this parser cannot follow.
        if (h[0] !== 1 && h[0] !== 2) return `security type ${h[0]} cannot be shared`;
        this.state = h[0] === 2 ? 'vnc-auth' : 'init';
        out.push(Buffer.from(h));
        return null;
      case 'vnc-auth':
        this.state = 'init';
        out.push(Buffer.from(h));
        return null;
      case 'init':
        this.state = 'messages';
        out.push(Buffer.from([1]));
        return null;
      case 'messages': {
        const kind = MESSAGES[h[0]];
        const total = kind.total(h);
        if (typeof total === 'string') return total;
        this.dropping = kind.input && this.rights === 'view-only';
        this.body = total - h.length;
        if (this.dropping) return null;
        out.push(h[0] === 2 ? withoutExtendedMouse(h) : Buffer.from(h));
        return null;
      }
      default:
        return 'the RFB stream already broke the rules';
    }
  }

  private fail(reason: string): FilterResult {
    this.state = 'failed';
    return { ok: false, reason };
  }
}

/** Adds a piece, joined to the last one when it continues it in the same buffer (one write, not two). */
function keep(out: Buffer[], piece: Buffer): void {
  const last = out[out.length - 1];
  if (last && last.buffer === piece.buffer && last.byteOffset + last.length === piece.byteOffset) {
    out[out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
  } else out.push(piece);
}

function withoutExtendedMouse(h: Buffer): Buffer {
  const n = h.readUInt16BE(2);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = h.readInt32BE(4 + 4 * i);
    if (e !== ENCODING_EXTENDED_MOUSE_BUTTONS) kept.push(e);
  }
  const msg = Buffer.alloc(4 + 4 * kept.length);
  msg[0] = 2;
  msg.writeUInt16BE(kept.length, 2);
  kept.forEach((e, i) => msg.writeInt32BE(e, 4 + 4 * i));
  return msg;
}

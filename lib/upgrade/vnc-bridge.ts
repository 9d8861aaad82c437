import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE } from '../errors/close-codes';
import { RfbClientFilter, type ShareRights } from './rfb-view-only';
import { OP, acceptKey, chooseSubprotocol, closeFrame, closeReason, encodeFrame, frameHeader, isClientKey, parseHeader, unmask } from '../net/ws-frames';

// WebSocket binary frames ↔ a plain TCP VNC server (what websockify does, in process). The TCP side is
// connected first, so an unreachable VM is reported as 1014 through a completed handshake.
//
// The bridge speaks just the part of RFC 6455 a byte pipe needs, on the raw socket: the payload of every
// data frame is unmasked where it lies in the buffer it was read into and written to the VM as it arrives
// (a frame never has to be whole, a message never reassembled), and every chunk the VM sends goes out as
// one binary frame, header and chunk in one writev. Pings are answered; close frames end the pair with
// the closing handshake. A client that breaks the framing rules is disconnected.

// A client may owe (not have read) this much of what the bridge wrote to it. The VM's stream stops once the
// client's queue passes its high-water mark, so only what the client itself provokes (pongs to its pings)
// can go past this bound: such a client is closed with 1013.
export const MAX_OWED_BYTES = 1024 * 1024;

// A gateway- or VM-initiated close waits this long for the client's answering close frame.
const CLOSE_GRACE_MS = 1000;

export type BridgeEnd = { endedBy: 'client' | 'upstream' | 'gateway'; code: number | undefined; bytesIn: number; bytesOut: number };
export type Bridge = { close(code: number, reason: string): Promise<void>; done: Promise<BridgeEnd> };

/**
 * Completes the client's handshake and joins it to an already connected TCP socket; null if it cannot.
 * `rights` is set for a viewer who came through a share link: its RFB stream is read (rfb-view-only.ts),
 * and a view-only viewer's input never reaches the VM.
 */
export async function bridge(req: IncomingMessage, socket: Duplex, head: Buffer, tcp: net.Socket, greeting?: Buffer, rights?: ShareRights): Promise<Bridge | null> {
  const answer = handshakeAnswer(req);
  if (!answer || socket.destroyed || !socket.writable) {
    tcp.destroy();
    if (!answer) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
    return null;
  }
  socket.write(answer);
  return new TcpBridge(socket as net.Socket, tcp, head, greeting, rights ? new RfbClientFilter(rights) : null);
}

/** The 101 for a valid WebSocket handshake (RFC 6455 4.2.1), or null. */
function handshakeAnswer(req: IncomingMessage): string | null {
  const key = req.headers['sec-websocket-key']?.trim();
  const version = req.headers['sec-websocket-version'];
  if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') return null;
  if (!isClientKey(key) || (version !== '13' && version !== '8')) return null;
  const accept = acceptKey(key);
  // noVNC offers `binary`; select it (or whatever was offered first) so the browser accepts the handshake.
  const protocol = chooseSubprotocol(req.headers['sec-websocket-protocol'], ['binary']);
  return (
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`
  );
}

const OP_CLOSE = OP.CLOSE;
const OP_PING = OP.PING;
const OP_PONG = OP.PONG;

class TcpBridge implements Bridge {
  readonly done: Promise<BridgeEnd>;
  private resolveDone!: (e: BridgeEnd) => void;
  private endedBy: BridgeEnd['endedBy'] | undefined;
  private code: number | undefined;
  private bytesIn = 0;
  private bytesOut = 0;
  /** Our close frame is on its way: nothing more goes to the client, and we wait for its answer. */
  private closeSent = false;
  /** The client's close frame arrived (or it broke the protocol): nothing more goes to the VM. */
  private closeReceived = false;
  private grace: NodeJS.Timeout | undefined;
  // The client → VM frame being read: its opcode, payload bytes still to come, masking key and how far
  // into it the next payload byte is, a header split across reads, a control frame's payload so far.
  private opcode = 0;
  private remaining = 0;
  private readonly mask = Buffer.alloc(4);
  private maskPhase = 0;
  private partialHeader: Buffer | null = null;
  private control: Buffer[] | null = null;

  constructor(
    private readonly client: net.Socket,
    private readonly tcp: net.Socket,
    head: Buffer,
    greeting: Buffer | undefined,
    private readonly filter: RfbClientFilter | null,
  ) {
    this.done = new Promise<BridgeEnd>((resolve) => (this.resolveDone = resolve));
    this.close = this.close.bind(this);
    tcp.on('error', () => undefined);
    tcp.on('data', (chunk: Buffer) => this.fromVm(chunk));
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('drain', () => tcp.resume());
    tcp.on('drain', () => client.resume());
    tcp.on('close', () => this.vmClosed());
    client.on('end', () => client.end());
    client.on('close', () => this.clientClosed());
    if (greeting && greeting.length > 0) this.fromVm(greeting);
    if (head.length > 0) this.fromClient(head);
  }

  /**
   * After a write to the client: a client that does not keep up stops the VM's stream (so a slow browser
   * never grows a queue here), and one that owes more than MAX_OWED_BYTES is closed. The client itself
   * is still read — its keystrokes go to the VM whatever its own queue holds — so a peer that sends
   * pings and never reads the pongs reaches the bound within a second and is closed, instead of sitting
   * paused on its slot forever.
   */
  private wroteToClient(flushed: boolean): void {
    if (flushed) return;
    this.tcp.pause();
    if (this.client.writableLength > MAX_OWED_BYTES && !this.closeSent) {
      this.endedBy = 'gateway';
      this.code = CLOSE.TRY_AGAIN_LATER;
      this.sendClose(CLOSE.TRY_AGAIN_LATER, `the client owes more than ${MAX_OWED_BYTES} bytes`);
      this.tcp.destroy();
      // A client that does not read will not read our close frame either, and a grace period would only
      // keep reading (and dropping) what it still floods in: it is dropped now.
      this.client.destroy();
    }
  }

  close(code: number, reason: string): Promise<void> {
    if (!this.client.destroyed && !this.closeSent) {
      this.endedBy = 'gateway';
      this.code = code;
      this.sendClose(code, closeReason(reason));
      this.tcp.destroy();
    }
    return this.done.then(() => undefined);
  }

  private fromVm(chunk: Buffer): void {
    if (this.closeSent || !this.client.writable) return;
    this.bytesOut += chunk.length;
    const { client } = this;
    let flushed: boolean;
    if (chunk.length <= COPY_LIMIT) {
      // A small chunk (a keystroke's echo, a cursor update) goes out as one buffer in one write: cheaper
      // than corking for a writev of two (measured on round trips in bench/).
      flushed = client.write(encodeFrame(OP.BINARY, chunk));
    } else {
      client.cork();
      client.write(frameHeader(OP.BINARY, chunk.length));
      flushed = client.write(chunk);
      client.uncork();
    }
    // A browser that cannot keep up stops the VM (and its own pings) rather than growing a queue here.
    this.wroteToClient(flushed);
  }

  private fromClient(chunk: Buffer): void {
    const { tcp } = this;
    // Usually a chunk holds one frame's payload: written as is. Several are corked into one writev.
    let first: Buffer | null = null;
    let corked = false;
    let flushed = true;
    let off = 0;
    while (off < chunk.length && !this.closeReceived) {
      if (this.remaining === 0 && this.control === null) {
        const used = this.readHeader(chunk, off);
        if (used < 0) break;
        off += used;
        if (this.remaining === 0) this.endOfFrame();
        continue;
      }
      const end = off + Math.min(this.remaining, chunk.length - off);
      this.maskPhase = unmask(chunk, off, end, this.mask, this.maskPhase);
      const payload = chunk.subarray(off, end);
      this.remaining -= end - off;
      off = end;
      if (this.control) this.control.push(payload);
      else {
        this.bytesIn += payload.length;
        for (const piece of this.filter ? this.filtered(payload) : [payload]) {
          if (first === null) first = piece;
          else {
            if (!corked) {
              corked = true;
              tcp.cork();
              flushed = tcp.write(first);
            }
            flushed = tcp.write(piece) && flushed;
          }
        }
      }
      if (this.remaining === 0) this.endOfFrame();
    }
    if (corked) tcp.uncork();
    else if (first !== null && !tcp.destroyed) flushed = tcp.write(first);
    if (!flushed) this.client.pause();
  }

  /** A shared viewer's RFB: what may go to the VM; a stream that breaks the rules ends here with 4400. */
  private filtered(payload: Buffer): Buffer[] {
    const r = this.filter!.push(payload);
    if (r.ok) return r.out;
    this.closeReceived = true;
    this.endedBy = 'gateway';
    this.code = CLOSE.BAD_REQUEST;
    this.sendClose(CLOSE.BAD_REQUEST, closeReason(`RFB refused: ${r.reason}`));
    this.tcp.destroy();
    return [];
  }

  /** Reads a frame header at `off`: the bytes it used, or -1 when the rest of it is still to come. */
  private readHeader(chunk: Buffer, off: number): number {
    // A header split across reads: join just its bytes (at most 14), never the whole chunk.
    const held = this.partialHeader?.length ?? 0;
    const bytes = held ? Buffer.concat([this.partialHeader!, chunk.subarray(off, off + 14)]) : chunk.subarray(off);
    const h = parseHeader(bytes);
    if (!h) {
      this.partialHeader = Buffer.from(bytes.subarray(0, 14));
      return chunk.length - off;
    }
    this.partialHeader = null;
    const control = h.opcode >= OP_CLOSE;
    // No extension was negotiated (RSV bits), clients must mask (RFC 6455 5.1), control frames are short
    // and whole (5.5), and there are no other opcodes: anything else is not a browser, so disconnect.
    const unknownOpcode = (h.opcode > 0x2 && h.opcode < OP_CLOSE) || h.opcode > OP_PONG;
    if ((bytes[0] & 0x70) !== 0 || !h.masked || unknownOpcode || (control && (!h.fin || h.payloadLength > 125)) || h.payloadLength > Number.MAX_SAFE_INTEGER) {
      this.protocolError();
      return -1;
    }
    bytes.copy(this.mask, 0, h.headerLength - 4, h.headerLength);
    this.maskPhase = 0;
    this.opcode = h.opcode;
    this.remaining = h.payloadLength;
    this.control = control ? [] : null;
    return h.headerLength - held;
  }

  private endOfFrame(): void {
    const control = this.control;
    this.control = null;
    if (!control) return;
    const payload = control.length === 1 ? control[0] : Buffer.concat(control);
    if (this.opcode === OP_PING && !this.closeSent && this.client.writable) {
      this.wroteToClient(this.client.write(encodeFrame(OP_PONG, payload)));
    }
    if (this.opcode !== OP_CLOSE) return;
    this.closeReceived = true;
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
    this.endedBy ??= 'client';
    this.code ??= code ?? 1005;
    // The closing handshake: answer with the same code (unless we already sent ours), then end.
    if (!this.closeSent) {
      this.closeSent = true;
      this.client.write(code === undefined ? encodeFrame(OP_CLOSE) : closeFrame(code, ''));
    }
    this.client.end();
    this.tcp.destroy();
  }

  /** The VM ended the connection: the client learns why (1014) instead of seeing a bare 1006. */
  private vmClosed(): void {
    if (this.closeSent || this.client.destroyed) return;
    this.endedBy ??= 'upstream';
    this.code ??= CLOSE.BAD_GATEWAY;
    this.sendClose(CLOSE.BAD_GATEWAY, 'the VM closed the connection');
  }

  private sendClose(code: number, reason: string): void {
    this.closeSent = true;
    if (this.client.writable) this.client.write(closeFrame(code, reason));
    // Keep reading (backpressure may have paused the client) so its answering close frame arrives.
    this.client.resume();
    clearTimeout(this.grace);
    this.grace = setTimeout(() => this.client.destroy(), CLOSE_GRACE_MS).unref();
  }

  private protocolError(): void {
    this.closeReceived = true;
    this.endedBy ??= 'client';
    this.code ??= CLOSE.ABNORMAL;
    this.client.destroy();
  }

  private clientClosed(): void {
    clearTimeout(this.grace);
    this.tcp.destroy();
    this.resolveDone({ endedBy: this.endedBy ?? 'client', code: this.code ?? CLOSE.ABNORMAL, bytesIn: this.bytesIn, bytesOut: this.bytesOut });
  }
}

// Up to this many bytes a chunk from the VM is copied behind its frame header rather than written beside it.
const COPY_LIMIT = 16 * 1024;

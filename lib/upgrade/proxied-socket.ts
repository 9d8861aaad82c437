import type { Socket } from 'node:net';
import { CLOSE } from '../errors/close-codes';
import { FrameTracker, closeFrame } from '../net/ws-frames';

// One joined pair of sockets (client ↔ upstream), from the moment ws-proxy.ts hands it over. It relays
// the bytes both ways, with backpressure (a side that cannot keep up pauses the other), and owns how the
// pair ends: it notices the close code each side sent, answers an upstream that vanished without one
// with 1014, and can close the pair itself (shutdown's 1001) without cutting a frame in half.
//
// Memory per pair matters (there may be 10,000): one 'data' listener per direction both forwards and
// tracks frame boundaries (two stream pipes beside trackers cost ~3 KB more heap per pair, measured with
// bench/, for the same throughput), the state is one object whose behaviour lives on its prototype, and
// the listeners are module functions shared by every pair (below): no closure per pair. (Under tsx, how
// server.ts runs, every *named* function created per pair would also be renamed with
// Object.defineProperty, which costs it a property dictionary of its own — a few hundred bytes each.)

export type PairEnd = {
  /** Who ended it: the client, the upstream, or the gateway (shutdown / drain). */
  endedBy: 'client' | 'upstream' | 'gateway';
  code: number | undefined;
  bytesIn: number;
  bytesOut: number;
};

export type ProxiedPair = {
  close(code: number, reason: string): Promise<void>;
  readonly done: Promise<PairEnd>;
};

// A gateway-initiated close waits at most this long for a frame in flight to finish, and an ending pair
// this long for the other side's FIN.
const CLOSE_GRACE_MS = 1000;

export function joinProxiedPair(client: Socket, upstream: Socket): ProxiedPair {
  return new JoinedPair(client, upstream);
}

// The listeners are the same eight functions for every pair; each finds its pair on the socket it was
// called on (EventEmitter calls a listener with the socket as `this`), so a pair costs no closures.
const PAIR = Symbol('proxied pair');
type PairedSocket = Socket & { [PAIR]: JoinedPair };
function upstreamData(this: PairedSocket, chunk: Buffer) {
  this[PAIR].fromUpstream(chunk);
}
function clientData(this: PairedSocket, chunk: Buffer) {
  this[PAIR].fromClient(chunk);
}
function clientDrained(this: PairedSocket) {
  this[PAIR].upstream.resume();
}
function upstreamDrained(this: PairedSocket) {
  this[PAIR].client.resume();
}
function clientEnded(this: PairedSocket) {
  const pair = this[PAIR];
  if (!pair.finished) pair.upstream.end();
}
function upstreamEnded(this: PairedSocket) {
  this[PAIR].upstreamEnded();
}
function clientClosed(this: PairedSocket) {
  this[PAIR].clientClosed();
}

class JoinedPair implements ProxiedPair {
  readonly done: Promise<PairEnd>;
  private resolveDone!: (e: PairEnd) => void;
  private readonly down = new FrameTracker(); // upstream → client
  private readonly up = new FrameTracker(); // client → upstream
  private endedBy: PairEnd['endedBy'] | undefined;
  private gatewayCode: number | undefined;
  /** Set by close(): the gateway is ending the pair. `finished` once our close frames are on their way. */
  private closing: { code: number; reason: string } | null = null;
  finished = false;
  private upstreamGone = false;
  private grace: NodeJS.Timeout | undefined;
  private readonly startIn: number;
  private readonly startOut: number;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
  ) {
    this.startIn = client.bytesRead;
    this.startOut = client.bytesWritten;
    this.done = new Promise<PairEnd>((resolve) => (this.resolveDone = resolve));
    this.close = this.close.bind(this);

    (client as PairedSocket)[PAIR] = this;
    (upstream as PairedSocket)[PAIR] = this;
    upstream.on('data', upstreamData);
    client.on('data', clientData);
    client.on('drain', clientDrained);
    upstream.on('drain', upstreamDrained);
    client.on('end', clientEnded);
    upstream.on('end', upstreamEnded);
    upstream.on('close', upstreamEnded);
    client.on('close', clientClosed);
    // ws-proxy.ts hands both sockets over paused, with any bytes that came with the handshake put back.
    upstream.resume();
    client.resume();
  }

  close(code: number, reason: string): Promise<void> {
    if (!this.client.destroyed && !this.closing) {
      this.closing = { code, reason };
      this.endedBy = 'gateway';
      this.gatewayCode = code;
      if (this.down.atBoundary) this.finishClose();
      else {
        // The rest of the frame in flight must be able to arrive, even if backpressure paused it.
        this.upstream.resume();
        this.grace = setTimeout(() => this.client.destroy(), CLOSE_GRACE_MS).unref();
      }
    }
    return this.done.then(() => undefined);
  }

  fromUpstream(chunk: Buffer): void {
    if (this.closing) return this.relayRestOfFrame(chunk);
    this.down.consume(chunk);
    // Whoever sends the first close frame ended the socket, whichever TCP side happens to close first.
    if (this.down.closeCode !== undefined) this.endedBy ??= 'upstream';
    if (!this.client.write(chunk)) this.upstream.pause();
  }

  fromClient(chunk: Buffer): void {
    // Once our close frame is out, the client's answer is read (so its FIN arrives) but goes nowhere.
    if (this.finished) return;
    this.up.consume(chunk);
    if (this.up.closeCode !== undefined) this.endedBy ??= 'client';
    if (!this.upstream.write(chunk)) this.client.pause();
  }

  /** An upstream that ends without a close frame (crashed, killed) would leave a browser with a bare 1006; tell it. */
  upstreamEnded(): void {
    if (this.upstreamGone) return;
    this.upstreamGone = true;
    const { client, down } = this;
    this.endedBy ??= 'upstream';
    if (down.closeCode === undefined && down.atBoundary && client.writable && !this.closing) {
      this.gatewayCode = CLOSE.BAD_GATEWAY;
      client.end(closeFrame(CLOSE.BAD_GATEWAY, 'upstream connection lost'));
    } else if (!client.destroyed) {
      client.end();
    }
    // Keep reading so the client's answering close frame and FIN arrive and the socket ends now rather
    // than at the grace timer (it may be paused by backpressure from the upstream that is gone).
    client.resume();
    this.grace ??= setTimeout(() => client.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** The client left: the upstream must learn at once, not when its own timeout fires. */
  clientClosed(): void {
    const { client } = this;
    this.endedBy ??= 'client';
    clearTimeout(this.grace);
    this.upstream.destroy();
    this.resolveDone({
      endedBy: this.endedBy,
      code: this.gatewayCode ?? this.down.closeCode ?? this.up.closeCode,
      bytesIn: client.bytesRead - this.startIn,
      bytesOut: client.bytesWritten - this.startOut,
    });
  }

  /** Draining: relay only the rest of the frame in flight, then our close frame. */
  private relayRestOfFrame(chunk: Buffer): void {
    if (this.finished) return;
    const part = chunk.subarray(0, Math.min(this.down.pending, chunk.length));
    if (part.length > 0) {
      this.client.write(part);
      this.down.consume(part);
    }
    if (this.down.atBoundary) this.finishClose();
  }

  private finishClose(): void {
    if (!this.closing || this.finished) return;
    this.finished = true;
    const { client, upstream } = this;
    const { code, reason } = this.closing;
    client.end(closeFrame(code, reason));
    client.resume();
    // The upstream gets a masked close of its own so it sees a clean end, not a reset.
    if (this.up.atBoundary && upstream.writable) upstream.end(closeFrame(code, reason, { mask: true }));
    else upstream.destroy();
    clearTimeout(this.grace);
    this.grace = setTimeout(() => {
      client.destroy();
      upstream.destroy();
    }, CLOSE_GRACE_MS).unref();
  }
}

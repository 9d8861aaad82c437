import type { Duplex } from 'node:stream';

// Noticing a client that leaves while the gateway is still authorising or connecting for it.
//
// An upgraded socket comes out of Node's HTTP server with nothing reading it and half-open allowed: a
// client's FIN is not seen until someone reads, and then only as 'end' (no 'close' follows until we end
// our side too). A listener attached once the upstream is ready has missed the event for good, so the
// socket, its lease and the upstream connection stayed open with nobody on the other end. The watcher
// reads from the start instead: an 'end', 'close' or error aborts `signal`, which every connect step
// honours, and the bytes a client sent early are kept (bounded) and handed on in front of the rest.

// RFC 6455 4.1: a client sends nothing after its handshake until the server answers it. A little is
// tolerated (a client may pipeline its first frame); more than this is not a browser and is dropped.
export const MAX_EARLY_BYTES = 64 * 1024;

/** That the client left, as every connect step can ask it: at once, or by a callback. */
export type ClientGone = {
  readonly aborted: boolean;
  /** Calls `fn` once when the client leaves (never if it already has: check `aborted` first); returns the undo. */
  onGone(fn: () => void): () => void;
};

export type ClientWatch = ClientGone & {
  /** The same as an AbortSignal, for APIs that take one (made on first use: most upgrades never need it). */
  readonly signal: AbortSignal;
  /** Stops watching and gives the bytes received so far, `head` first; the socket is left for the next reader. */
  handOver(head: Buffer): Buffer;
};

// Not an AbortController per upgrade: creating one and listening on its signal cost about as much CPU as
// the rest of the watcher together (bench/upgrades.ts profiles), for a signal that the proxied path only
// ever asks "aborted yet?" and "tell me when". One callback slot does that. The watcher is one object
// whose listeners are module functions shared by every upgrade, finding it on the socket: no closure per
// upgrade (under tsx each named one is also renamed with Object.defineProperty, measurable per upgrade).
export function watchClient(socket: Duplex): ClientWatch {
  return new Watch(socket);
}

const WATCH = Symbol('client watch');
type WatchedSocket = Duplex & { [WATCH]?: Watch };

function watchedData(this: WatchedSocket, chunk: Buffer): void {
  this[WATCH]?.data(chunk);
}
function watchedGone(this: WatchedSocket): void {
  this[WATCH]?.gone();
}

class Watch implements ClientWatch {
  private isAborted = false;
  private listeners: (() => void)[] | null = null;
  private controller: AbortController | null = null;
  private early: Buffer[] | null = null;
  private size = 0;

  constructor(private readonly socket: Duplex) {
    (socket as WatchedSocket)[WATCH] = this;
    socket.on('data', watchedData);
    socket.once('end', watchedGone);
    socket.once('close', watchedGone);
    if (socket.destroyed) this.gone();
  }

  get aborted(): boolean {
    return this.isAborted;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  onGone(fn: () => void): () => void {
    (this.listeners ??= []).push(fn);
    return () => {
      if (this.listeners) this.listeners = this.listeners.filter((f) => f !== fn);
    };
  }

  handOver(head: Buffer): Buffer {
    const { socket, early } = this;
    socket.pause();
    socket.off('data', watchedData).off('end', watchedGone).off('close', watchedGone);
    (socket as WatchedSocket)[WATCH] = undefined; // not `delete`: that would turn the socket into a slow dictionary object
    // "No consumer yet" rather than "paused": whoever attaches a 'data' listener next starts the flow,
    // as on a socket fresh from the HTTP server.
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    return early ? Buffer.concat([head, ...early]) : head;
  }

  data(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_EARLY_BYTES) return void this.socket.destroy();
    (this.early ??= []).push(chunk);
  }

  gone(): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.controller?.abort();
    const fns = this.listeners;
    this.listeners = null;
    if (fns) for (const fn of fns) fn();
  }
}

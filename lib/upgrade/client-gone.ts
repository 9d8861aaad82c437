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
// ever asks "aborted yet?" and "tell me when". One callback slot does that.
export function watchClient(socket: Duplex): ClientWatch {
  let aborted = false;
  let listeners: (() => void)[] | null = null;
  let controller: AbortController | null = null;
  const early: Buffer[] = [];
  let size = 0;
  const gone = () => {
    if (aborted) return;
    aborted = true;
    controller?.abort();
    const fns = listeners;
    listeners = null;
    if (fns) for (const fn of fns) fn();
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_EARLY_BYTES) return socket.destroy();
    early.push(chunk);
  };
  socket.on('data', onData);
  socket.once('end', gone);
  socket.once('close', gone);
  if (socket.destroyed) gone();
  return {
    get aborted() {
      return aborted;
    },
    onGone(fn) {
      (listeners ??= []).push(fn);
      return () => {
        if (listeners) listeners = listeners.filter((f) => f !== fn);
      };
    },
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (aborted) controller.abort();
      }
      return controller.signal;
    },
    handOver(head) {
      socket.pause();
      socket.off('data', onData).off('end', gone).off('close', gone);
      // "No consumer yet" rather than "paused": whoever attaches a 'data' listener next starts the flow,
      // as on a socket fresh from the HTTP server.
      (socket as { readableFlowing: boolean | null }).readableFlowing = null;
      return early.length ? Buffer.concat([head, ...early]) : head;
    },
  };
}

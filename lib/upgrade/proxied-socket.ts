import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { CLOSE } from '../errors/close-codes';
import { FrameTracker, closeFrame } from './ws-frames';

// One joined pair of sockets (client ↔ upstream), taken over once the proxy has piped them (so the
// listeners here see every byte, including any that arrived with the handshake). This owns how the pair
// ends: it notices the close code each side sent, answers an upstream that vanished without one with
// 1014, and can close the pair itself (shutdown's 1001) without cutting a frame in half.

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

// A gateway-initiated close waits at most this long for a frame in flight to finish.
const CLOSE_GRACE_MS = 1000;

export function trackProxiedPair(client: Socket, upstream: Socket): ProxiedPair {
  const down = new FrameTracker(); // upstream → client
  const up = new FrameTracker(); // client → upstream
  let endedBy: PairEnd['endedBy'] | undefined;
  let gatewayCode: number | undefined;
  let closing: { code: number; reason: string } | null = null;
  const startIn = client.bytesRead;
  const startOut = client.bytesWritten;

  let resolveDone!: (e: PairEnd) => void;
  const done = new Promise<PairEnd>((r) => (resolveDone = r));

  // Whoever sends the first close frame ended the socket, whichever TCP side happens to close first.
  const noteCloser = (tracker: FrameTracker, side: 'client' | 'upstream') => {
    if (tracker.closeCode !== undefined) endedBy ??= side;
  };
  upstream.on('data', (chunk: Buffer) => {
    if (!closing) {
      down.consume(chunk);
      return noteCloser(down, 'upstream');
    }
    // Draining: relay only the rest of the frame in flight, then our close frame.
    const n = down.pending;
    if (n > 0) client.write(chunk.subarray(0, Math.min(n, chunk.length)));
    down.consume(chunk.subarray(0, Math.min(n, chunk.length)));
    if (down.atBoundary) finishClose();
  });
  client.on('data', (chunk: Buffer) => {
    up.consume(chunk);
    noteCloser(up, 'client');
  });

  // An upstream that ends without a close frame (crashed, killed) would leave a browser with a bare 1006;
  // tell it what happened. This runs before the pipe's own `end` handler ends the client socket.
  const onUpstreamGone = () => {
    endedBy ??= 'upstream';
    if (down.closeCode === undefined && down.atBoundary && !client.destroyed && client.writable && !closing) {
      gatewayCode = CLOSE.BAD_GATEWAY;
      client.end(closeFrame(CLOSE.BAD_GATEWAY, 'upstream connection lost'));
    } else if (!client.destroyed) {
      client.end();
    }
    // The pipe to the dead upstream is gone and left the client paused; keep reading so the client's
    // answering close frame and FIN arrive and the socket ends now rather than at the grace timer.
    client.resume();
    setTimeout(() => client.destroy(), CLOSE_GRACE_MS).unref();
  };
  // Prepended: the pipe's own 'end' handler and http-proxy-3's 'close' handler end the client first.
  upstream.prependOnceListener('end', onUpstreamGone);
  upstream.prependOnceListener('close', onUpstreamGone);

  // The client left: the upstream must learn at once, not when its own timeout fires.
  client.once('close', () => {
    endedBy ??= 'client';
    upstream.destroy();
    resolveDone({
      endedBy,
      code: gatewayCode ?? down.closeCode ?? up.closeCode,
      bytesIn: client.bytesRead - startIn,
      bytesOut: client.bytesWritten - startOut,
    });
  });

  function finishClose() {
    if (!closing) return;
    const { code, reason } = closing;
    client.end(closeFrame(code, reason));
    // Stop relaying the client's answer into an upstream we are ending, but keep reading it so the
    // client's FIN is seen and the socket closes now.
    client.unpipe(upstream);
    client.resume();
    // The upstream gets a masked close of its own so it sees a clean end, not a reset.
    if (up.atBoundary && upstream.writable) upstream.end(maskedCloseFrame(code, reason));
    else upstream.destroy();
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
    }, CLOSE_GRACE_MS).unref();
  }

  return {
    done,
    close(code, reason) {
      if (client.destroyed) return done.then(() => undefined);
      if (!closing) {
        closing = { code, reason };
        endedBy = 'gateway';
        gatewayCode = code;
        upstream.unpipe(client);
        if (down.atBoundary) finishClose();
        else setTimeout(() => client.destroy(), CLOSE_GRACE_MS).unref();
      }
      return done.then(() => undefined);
    },
  };
}

/** Client → server frames must be masked (RFC 6455 5.3); the gateway speaks as a client upstream. */
function maskedCloseFrame(code: number, reason: string): Buffer {
  const plain = closeFrame(code, reason);
  const payload = plain.subarray(2);
  const mask = randomBytes(4);
  const frame = Buffer.alloc(2 + 4 + payload.length);
  frame[0] = 0x88;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

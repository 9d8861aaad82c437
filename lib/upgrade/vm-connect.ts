import net from 'node:net';

// The VM end of the VNC bridge: connect (TCP for external targets, the sandbox's Unix socket for local
// VMs) and wait for the RFB greeting, before the browser's handshake is answered at all.

const ignore = () => undefined;

/** Where a VM's VNC server listens: a TCP address (external targets) or a Unix socket (the local sandbox). */
export type VmAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

// An RFB server speaks first: "RFB 003.008\n" (RFC 6143 7.1.1).
export const RFB_GREETING_BYTES = 12;

export class VmConnectError extends Error {
  constructor(
    message: string,
    /** The client left while we were connecting: nothing is to be sent to it. */
    readonly aborted = false,
  ) {
    super(message);
  }
}

/**
 * Connects to a VM and waits for its RFB greeting, both within one deadline, so a VM that accepts and
 * then stays silent (stopped, wedged) is reported as unreachable instead of answered with a 101 and
 * nothing after it. Resolves with the socket (paused, nothing left listening on it) and the bytes the VM
 * sent so far, which the bridge relays first. Gives up at once when `signal` aborts.
 */
export function connectVm(address: VmAddress, timeoutMs: number, signal?: AbortSignal): Promise<{ socket: net.Socket; greeting: Buffer }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new VmConnectError('the client left', true));
    const socket = address.kind === 'unix' ? net.connect({ path: address.path }) : net.connect({ host: address.host, port: address.port, noDelay: true, keepAlive: true });
    const got: Buffer[] = [];
    let size = 0;
    let connected = false;
    const fail = (err: VmConnectError) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onTimeout = () => fail(new VmConnectError(connected ? `the VM did not greet within ${timeoutMs} ms` : `no answer within ${timeoutMs} ms`));
    const onAbort = () => fail(new VmConnectError('the client left', true));
    const onError = (err: NodeJS.ErrnoException) => fail(new VmConnectError(err.code ?? err.message));
    const onClose = () => fail(new VmConnectError('the VM closed the connection before its greeting'));
    const onConnect = () => (connected = true);
    const onData = (chunk: Buffer) => {
      got.push(chunk);
      size += chunk.length;
      if (size < RFB_GREETING_BYTES) return;
      cleanup();
      socket.pause();
      // Back to "no consumer yet", so the bridge's own 'data' listener starts the flow again.
      (socket as { readableFlowing: boolean | null }).readableFlowing = null;
      socket.on('error', ignore);
      resolve({ socket, greeting: Buffer.concat(got) });
    };
    const timer = setTimeout(onTimeout, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError).off('close', onClose).off('connect', onConnect).off('data', onData);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError).on('close', onClose).on('connect', onConnect).on('data', onData);
  });
}

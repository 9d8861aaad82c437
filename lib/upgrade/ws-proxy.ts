import type { IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { CLOSE } from '../errors/close-codes';

// The proxied leg of an upgrade (design.md step 6-7): open a TCP (or TLS) connection to the upstream,
// send it the client's handshake, and read its answer. A 101 is relayed to the client verbatim and the
// two sockets are handed to the caller to join (proxied-socket.ts); anything else becomes a close code,
// because a browser cannot read the HTTP status of a failed handshake.
//
// This used to be http-proxy-3's `proxy.ws`. Measured in bench/ (npm run bench), the library's per-upgrade
// machinery (an http.Agent and a ClientRequest per upgrade, the response parser, and closures that keep
// the request, the proxied request and the 101 response alive for as long as the socket is open) cost
// more per socket than the sockets themselves; the handshake is one request and one response head, so
// it is done here. Its failure modes are the ones the library handled for us: an `error` listener on the
// upstream from the first moment, a client that leaves while we connect, an upstream that closes, never
// answers or answers with HTTP.

export type ProxyHooks = {
  /** The upstream accepted and its 101 went to the client; join the two sockets now. */
  onOpen(upstream: Socket): void;
  /** The upstream could not be reached or refused the upgrade; nothing was sent to the client yet. */
  onFail(code: number, reason: string): void;
};

export type WsProxy = {
  proxy(req: IncomingMessage, socket: Socket, head: Buffer, target: URL, hooks: ProxyHooks): void;
  /** Abandons every handshake still in progress (shutdown); joined pairs belong to their owner. */
  close(): void;
};

// An upstream's answer must fit in this; a 101 is a few hundred bytes.
const MAX_RESPONSE_HEAD = 16 * 1024;

// An upstream socket ignores errors once it is joined: its 'close' tells the pair what it needs.
const ignore = () => undefined;

// An upstream's HTTP answer to the upgrade, mapped to the close code the client should see.
export function closeCodeForUpstreamStatus(status: number): number {
  switch (status) {
    case 400:
      return CLOSE.BAD_REQUEST;
    case 401:
      return CLOSE.UNAUTHORIZED;
    case 403:
      return CLOSE.FORBIDDEN;
    case 404:
      return CLOSE.NOT_FOUND;
    case 409:
      return CLOSE.CONFLICT;
    case 429:
      return CLOSE.TOO_MANY;
    case 503:
      return CLOSE.TRY_AGAIN_LATER;
    default:
      return CLOSE.BAD_GATEWAY;
  }
}

export function createWsProxy(connectTimeoutMs: number): WsProxy {
  const connecting = new Set<Socket>();

  function proxy(req: IncomingMessage, socket: Socket, head: Buffer, target: URL, hooks: ProxyHooks): void {
    const upstream = connectTo(target);
    connecting.add(upstream);
    let received: Buffer | null = null;
    let settled = false;

    // Every listener of the handshake goes once it is settled, so nothing from it (the request, the
    // hooks) stays reachable from the sockets for as long as they are open.
    const settle = () => {
      settled = true;
      connecting.delete(upstream);
      clearTimeout(timer);
      socket.off('close', onClientClose);
      upstream.off('data', onData);
      upstream.off('error', onError);
      upstream.off('close', onEarlyClose);
      upstream.on('error', ignore);
    };
    const fail = (code: number, reason: string) => {
      if (settled) return;
      settle();
      upstream.destroy();
      hooks.onFail(code, reason);
    };
    const onError = (err: Error) => fail(CLOSE.BAD_GATEWAY, `upstream unreachable: ${describe(err)}`);
    const onEarlyClose = () => fail(CLOSE.BAD_GATEWAY, 'upstream unreachable: closed before answering the upgrade');
    // The client left while we were still connecting: stop the upstream attempt too.
    const onClientClose = () => {
      if (settled) return;
      settle();
      upstream.destroy();
    };
    const timer = setTimeout(() => fail(CLOSE.BAD_GATEWAY, `upstream unreachable: upstream did not answer within ${connectTimeoutMs} ms`), connectTimeoutMs);

    const onData = (chunk: Buffer) => {
      received = received ? Buffer.concat([received, chunk]) : chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > MAX_RESPONSE_HEAD) fail(CLOSE.BAD_GATEWAY, 'upstream answered with an oversized head');
        return;
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(received.toString('latin1', 0, Math.min(end + 1, 64)))?.[1] ?? 0);
      if (status !== 101) return fail(closeCodeForUpstreamStatus(status), `upstream refused the upgrade with HTTP ${status || 'garbage'}`);
      const answer = received.subarray(0, end + 4);
      const early = received.subarray(end + 4);
      received = null;
      settle();
      // Frames may follow the 101 in the same segment (a greeting), and the client may have sent bytes
      // after its request: both go back into their sockets, to be read first once the pair is joined.
      upstream.pause();
      if (early.length > 0) upstream.unshift(early);
      if (head.length > 0) socket.unshift(head);
      socket.write(answer);
      hooks.onOpen(upstream);
    };

    upstream.on('error', onError);
    upstream.on('close', onEarlyClose);
    upstream.on('data', onData);
    socket.on('close', onClientClose);
    upstream.write(requestHead(req));
  }

  return {
    proxy,
    close() {
      for (const s of connecting) s.destroy();
      connecting.clear();
    },
  };
}

/** TCP no-delay and keep-alive on the upstream leg too (design.md step 6). */
function connectTo(target: URL): Socket {
  const secure = target.protocol === 'wss:' || target.protocol === 'https:';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port) || (secure ? 443 : 80);
  const upstream = secure
    ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
    : net.connect({ host, port });
  upstream.setNoDelay(true);
  upstream.setKeepAlive(true, 30_000);
  return upstream;
}

/** The client's request as prepareUpstreamRequest left it: its path, every header it kept or added. */
function requestHead(req: IncomingMessage): string {
  let out = `GET ${req.url} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out += `${name}: ${v}\r\n`;
    else out += `${name}: ${value}\r\n`;
  }
  return `${out}\r\n`;
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code} ${err.message}`.slice(0, 80) : err.message.slice(0, 80);
}

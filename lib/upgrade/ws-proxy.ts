import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { CLOSE } from '../errors/close-codes';

// The proxied leg of an upgrade (design.md step 6-7), on http-proxy-3's `proxy.ws`. This module adds
// what the library leaves to us: a connect timeout, a close code instead of a raw HTTP answer when the
// upstream refuses, and a hook per connection once both sockets are joined.

export type ProxyHooks = {
  /** Both legs are joined; `upstream` is the socket to the backend. */
  onOpen(upstream: Socket): void;
  /** The upstream could not be reached or refused the upgrade; nothing was sent to the client yet. */
  onFail(code: number, reason: string): void;
};

export type WsProxy = {
  proxy(req: IncomingMessage, socket: Socket, head: Buffer, target: URL, hooks: ProxyHooks): void;
  close(): void;
};

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
  const proxy = createProxyServer({ ws: true, xfwd: false, prependPath: false });
  const pending = new WeakMap<IncomingMessage, { hooks: ProxyHooks; settled: boolean }>();

  const joining = new WeakMap<Socket, ProxyHooks>();
  proxy.on('open', (upstream: Socket) => {
    const hooks = joining.get(upstream);
    joining.delete(upstream);
    hooks?.onOpen(upstream);
  });

  // http-proxy-3 re-emits client socket errors here; each connection handles its own sockets, so this
  // listener only keeps the process from treating them as unhandled.
  proxy.on('error', () => undefined);

  proxy.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage, socket: Socket) => {
    const state = pending.get(req);
    if (!state) return;
    const fail = (code: number, reason: string) => {
      if (state.settled) return;
      state.settled = true;
      clearTimeout(timer);
      state.hooks.onFail(code, reason);
    };
    const timer = setTimeout(() => {
      proxyReq.destroy(new Error(`upstream did not answer within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    // The client left while we were still connecting: stop the upstream attempt too.
    const onClientClose = () => {
      state.settled = true;
      clearTimeout(timer);
      proxyReq.destroy();
    };
    socket.once('close', onClientClose);
    proxyReq.on('error', (err) => fail(CLOSE.BAD_GATEWAY, `upstream unreachable: ${describe(err)}`));
    // Registered before http-proxy-3's own listeners (it emits proxyReqWs first), so these run first.
    proxyReq.on('upgrade', (_res: IncomingMessage, upstream: Socket) => {
      clearTimeout(timer);
      socket.off('close', onClientClose);
      if (state.settled) return upstream.destroy();
      state.settled = true;
      upstream.on('error', () => undefined);
      // Not onOpen yet: bytes that came with the 101 are unshifted next, and a 'data' listener attached
      // now would take them before the pipe exists. 'open' fires once both pipes are in place.
      joining.set(upstream, state.hooks);
    });
    proxyReq.on('response', (res: IncomingMessage) => {
      res.resume();
      fail(closeCodeForUpstreamStatus(res.statusCode ?? 502), `upstream refused the upgrade with HTTP ${res.statusCode}`);
      // http-proxy-3 would now relay the raw HTTP answer, which a browser can only report as 1006. Our
      // close frame is already queued; ending the socket here makes its writes no-ops.
      socket.end();
    });
  });

  return {
    proxy(req, socket, head, target, hooks) {
      pending.set(req, { hooks, settled: false });
      proxy.ws(req, socket, head, { target: target.origin.replace(/^http/, 'ws') }, (err: Error) => {
        const state = pending.get(req);
        if (!state || state.settled) return;
        state.settled = true;
        hooks.onFail(CLOSE.BAD_GATEWAY, `upstream unreachable: ${describe(err)}`);
      });
    },
    close() {
      proxy.close();
    },
  };
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code} ${err.message}`.slice(0, 80) : err.message.slice(0, 80);
}

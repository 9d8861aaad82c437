import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CLOSE } from '../errors/close-codes';
import type { createOutcomes, Ctx } from './outcomes';
import { pinnedAgent, prepareUpstreamRequest } from './upstream';
import { bridge } from './vnc-bridge';
import { connectVm, type VmConnectError } from './vm-connect';
import type { ClientWatch } from './client-gone';
import type { WsProxy } from './ws-proxy';
import { joinProxiedPair } from './proxied-socket';
import type { Target } from './routes/route';

// The last step of an upgrade (design.md "An upgrade, step by step", 6-7): join the client to what the
// record resolved, by its transport (in-process, bridged WS→TCP, or proxied through http-proxy-3), and hand
// the open pair, or the refusal, to the outcomes.

type TransportDeps = { wsProxy: WsProxy; upstreamConnectTimeoutMs: number };

export function createTransports(deps: TransportDeps, outcomes: ReturnType<typeof createOutcomes>) {
  const { refuse, clientLeft, opened, logEnd } = outcomes;

  async function connect(req: IncomingMessage, socket: Socket, head: Buffer, ctx: Ctx, target: Target, release: () => void, watch: ClientWatch) {
    // The proxied path sets the socket options on both legs as it joins them (ws-proxy.ts); set for every
    // upgrade up front as well, they were three more system calls per proxied upgrade for nothing.
    switch (target.transport) {
      case 'in-process': {
        interactive(socket);
        const conn = await target.accept(req, socket, watch.handOver(head), ctx.user!);
        if (!conn) return (release(), logEnd(ctx, { outcome: 'client_left', bytesIn: 0, bytesOut: 0 }));
        const done = conn.done.then(() => ({ endedBy: 'client', bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten }));
        return opened(ctx, { close: conn.close, done }, release);
      }
      case 'bridge': {
        interactive(socket);
        const vm = await connectVm(target.to, deps.upstreamConnectTimeoutMs, watch.signal).catch((err: VmConnectError) => err);
        if (vm instanceof Error) {
          if (watch.aborted) return clientLeft(socket, ctx, release);
          release();
          return refuse(req, socket, ctx, CLOSE.BAD_GATEWAY, `VM unreachable: ${vm.message}`);
        }
        const b = await bridge(req, socket, watch.handOver(head), vm.socket, vm.greeting, target.rights);
        if (!b) return (release(), logEnd(ctx, { outcome: 'client_left', bytesIn: 0, bytesOut: 0 }));
        return opened(ctx, b, release);
      }
      case 'proxy':
        return proxy(req, socket, head, ctx, target, release, watch);
      default: {
        const unhandled: never = target;
        throw new Error(`no transport for ${JSON.stringify(unhandled)}`);
      }
    }
  }

  function proxy(req: IncomingMessage, socket: Socket, head: Buffer, ctx: Ctx, target: Extract<Target, { transport: 'proxy' }>, release: () => void, watch: ClientWatch) {
    prepareUpstreamRequest(req, target.url, target.bearer, target.headers);
    const agent = target.pinned ? pinnedAgent(target.url, target.pinned) : undefined;
    // The watcher keeps reading while the proxy connects (the library is handed no early bytes); they are
    // written upstream once the pair is joined, ahead of anything the client sends later.
    deps.wsProxy.proxy(
      req,
      socket,
      head,
      target.url,
      watch,
      {
        onOpen(upstreamSocket) {
          const early = watch.handOver(Buffer.alloc(0));
          if (early.length) upstreamSocket.write(early);
          const pair = joinProxiedPair(socket, upstreamSocket);
          // Every byte either way passes the client's socket, so its idleness is the pair's.
          if (target.idleTimeoutMs) socket.setTimeout(target.idleTimeoutMs, () => void pair.close(CLOSE.NORMAL, 'idle timeout'));
          opened(ctx, pair, release);
        },
        onFail(code, reason) {
          release();
          refuse(req, socket, ctx, code, reason);
        },
        onAbort() {
          clientLeft(socket, ctx, release);
        },
      },
      { agent, connectTimeoutMs: target.connectTimeoutMs },
    );
  }

  return { connect, proxy };
}

/**
 * Interactive traffic (keystrokes, progress lines) must not wait for Nagle; keep-alive lets the kernel
 * notice a peer that vanished without a FIN.
 */
function interactive(socket: Socket): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
}

import net from 'node:net';

// A TCP proxy that drops a connection after `idleMs` without traffic in either direction — what nginx's
// proxy_read_timeout or a cloud load balancer's idle timeout does to a quiet WebSocket.

export async function startIdleTimeoutProxy(target: { host: string; port: number }, idleMs: number) {
  const conns = new Set<net.Socket>();
  let dropped = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      conns.add(s);
      s.on('error', () => undefined);
      s.on('close', () => conns.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.setTimeout(idleMs, () => {
      dropped++;
      client.destroy();
      upstream.destroy();
    });
    // Traffic from the upstream also counts as activity.
    upstream.on('data', () => client.setTimeout(idleMs));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    get dropped() {
      return dropped;
    },
    close: () => {
      for (const c of conns) c.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

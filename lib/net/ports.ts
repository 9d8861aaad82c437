import net from 'node:net';

// Small facts about loopback ports, for the local VM provider and the tests that start real servers.

/** A port nobody listens on right now (the kernel's choice for port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, host, () => resolve());
  });
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Whether `port` can be listened on right now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Resolves once something accepts connections on the port; `gaveUp` ends the wait early (e.g. the process died). */
export async function waitForPort(port: number, opts: { host?: string; timeoutMs?: number; gaveUp?: () => string | null } = {}): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const until = Date.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    const why = opts.gaveUp?.();
    if (why) throw new Error(why);
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, host);
      c.once('connect', () => (c.destroy(), r(true)));
      c.once('error', () => (c.destroy(), r(false)));
    });
    if (up) return;
    if (Date.now() > until) throw new Error(`nothing listened on ${host}:${port} within ${opts.timeoutMs ?? 5000} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `server` listening; resolves with the port it got (the kernel's choice for 0), rejects with the bind error. */
export function listenOn(server: { once(e: 'error', f: (err: Error) => void): unknown; off(e: 'error', f: (err: Error) => void): unknown; listen(port: number, host: string, cb: () => void): unknown; address(): unknown }, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

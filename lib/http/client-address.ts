import net from 'node:net';
import type { IncomingMessage } from 'node:http';

// The address a request really came from, for limits kept per client (sign-in attempts). Behind nginx every
// request arrives from the proxy's own address, so one bucket would hold every user; the proxy's
// X-Forwarded-For says who its client was, but anyone can send that header, so it is believed only from a
// peer listed in TRUSTED_PROXIES, and only for the hops those proxies added: the rightmost address that is
// not itself a trusted proxy is the client.

export type TrustedProxies = { has(address: string): boolean };

export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [base, bits] = entry.split('/');
    const family = net.isIP(base) === 6 ? 'ipv6' : 'ipv4';
    if (bits !== undefined) list.addSubnet(base, Number(bits), family);
    else list.addAddress(base, family);
  }
  return {
    has(address) {
      const plain = address.replace(/^::ffff:(?=\d+\.)/, '');
      const family = net.isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (!trusted.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!net.isIP(hops[i])) return address;
    address = hops[i];
    if (!trusted.has(address)) return address;
  }
  return address;
}

import dns from 'node:dns';
import net from 'node:net';

// VNC_TARGET_ALLOW: which hosts an admin may register as an external VNC target. Entries are host
// names (`vm1.lab`, `*.lab` for any sub-domain), IP addresses, or IPv4/IPv6 CIDRs (`10.0.0.0/8`). An
// empty list allows nothing, so a fresh install cannot be pointed at the internal network by mistake.
//
// The check runs on the addresses a name resolves to, every one of them, at registration and again at
// every connect, and the caller connects to the address that passed — never resolving the name a second
// time, so a DNS answer that changes between the check and the connect (rebinding) cannot steer the
// gateway elsewhere. A name entry lets a host through only to ordinary addresses: loopback, link-local,
// unspecified and multicast addresses (the gateway itself, cloud metadata services) pass only when an
// address or CIDR entry lists them, so `*.lab` cannot be turned into 127.0.0.1 by a `127.0.0.1.lab` record.

export type Lookup = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export type VettedTarget =
  | { ok: true; url: URL; address: string; family: 4 | 6 }
  /** `unresolved`: the name has no address now (unreachable); `refused`: not allowed, whatever the network does. */
  | { ok: false; problem: 'refused' | 'unresolved'; message: string };

const systemLookup: Lookup = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Parses, checks against the allow-list on the resolved addresses, and says which address to connect to. */
export async function vetTarget(target: string, allow: readonly string[], lookup: Lookup = systemLookup): Promise<VettedTarget> {
  const parsed = parseTarget(target);
  if (typeof parsed === 'string') return refused(parsed);
  const url = parsed;
  if (allow.length === 0) return refused('No external targets are allowed: set VNC_TARGET_ALLOW to the hosts or CIDRs admins may register.');
  const rules = parseAllow(allow);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

  let addresses: string[];
  let nameListed = false;
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    nameListed = rules.names.some((entry) => nameMatches(host, entry));
    // A name no rule could let through is refused before it costs a DNS query.
    if (!nameListed && rules.addresses === null) return refused(`The host ${host} is not in VNC_TARGET_ALLOW.`);
    try {
      addresses = (await lookup(host)).map((a) => a.address);
    } catch (err) {
      return { ok: false, problem: 'unresolved', message: `The host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'}).` };
    }
    if (addresses.length === 0) return { ok: false, problem: 'unresolved', message: `The host ${host} does not resolve.` };
  }

  for (const raw of addresses) {
    const address = unmapped(raw);
    if (listedAddress(rules, address)) continue;
    if (nameListed && !isSpecial(address)) continue;
    if (!nameListed && net.isIP(host) && !isSpecial(address)) return refused(`The host ${host} is not in VNC_TARGET_ALLOW.`);
    if (!nameListed && !isSpecial(address)) return refused(`The host ${host} resolves to ${address}, which VNC_TARGET_ALLOW does not list.`);
    return refused(
      `The host ${host} resolves to ${address}, a loopback, link-local, unspecified or multicast address: ` +
        'VNC_TARGET_ALLOW must list it as an address or CIDR to allow it.',
    );
  }
  const first = unmapped(addresses[0]);
  return { ok: true, url, address: first, family: net.isIP(first) === 6 ? 6 : 4 };
}

function parseTarget(target: string): URL | string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'The target must be a URL: tcp://host:port or ws://host:port/path.';
  }
  if (!['tcp:', 'ws:', 'wss:'].includes(url.protocol)) {
    return 'The target must start with tcp:// (a VNC server) or ws:// / wss:// (a websockify).';
  }
  if (!url.hostname || (url.protocol === 'tcp:' && !url.port)) return 'The target needs a host and, for tcp://, a port.';
  if (url.username || url.password) return 'Credentials do not belong in a target URL.';
  return url;
}

type Rules = { names: string[]; addresses: net.BlockList | null };

function parseAllow(allow: readonly string[]): Rules {
  const names: string[] = [];
  let addresses: net.BlockList | null = null;
  for (const raw of allow) {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (!entry) continue;
    const [base, bitsText] = entry.split('/');
    const family = net.isIP(base);
    if (!family) {
      // A CIDR with a base that is not an address is a typo; it allows nothing rather than a name.
      if (bitsText === undefined) names.push(entry);
      continue;
    }
    const bits = bitsText === undefined ? (family === 4 ? 32 : 128) : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) continue;
    addresses ??= new net.BlockList();
    addresses.addSubnet(unmapped(base), bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return { names, addresses };
}

function nameMatches(host: string, entry: string): boolean {
  if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
  return host === entry;
}

function listedAddress(rules: Rules, address: string): boolean {
  return rules.addresses?.check(address, net.isIP(address) === 6 ? 'ipv6' : 'ipv4') ?? false;
}

// Where a VNC target has no business being unless an operator says so by address.
const SPECIAL = new net.BlockList();
SPECIAL.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network"; 0.0.0.0 reaches the host itself
SPECIAL.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
SPECIAL.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, cloud metadata services
SPECIAL.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
SPECIAL.addAddress('255.255.255.255', 'ipv4'); // broadcast
SPECIAL.addAddress('::', 'ipv6'); // unspecified
SPECIAL.addAddress('::1', 'ipv6'); // loopback
SPECIAL.addSubnet('fe80::', 10, 'ipv6'); // link-local
SPECIAL.addSubnet('ff00::', 8, 'ipv6'); // multicast

export function isSpecial(address: string): boolean {
  const a = unmapped(address);
  return SPECIAL.check(a, net.isIP(a) === 6 ? 'ipv6' : 'ipv4');
}

/** `::ffff:127.0.0.1` is 127.0.0.1: judge (and connect to) the IPv4 address it carries. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

function refused(message: string): VettedTarget {
  return { ok: false, problem: 'refused', message };
}

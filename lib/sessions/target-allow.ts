import net from 'node:net';

// VNC_TARGET_ALLOW: which hosts an admin may register as an external VNC target. Entries are host
// names (`vm1.lab`, `*.lab` for any sub-domain), IP addresses, or IPv4/IPv6 CIDRs (`10.0.0.0/8`). An
// empty list allows nothing, so a fresh install cannot be pointed at the internal network by mistake.

export type TargetCheck = { ok: true; url: URL } | { ok: false; message: string };

export function checkExternalTarget(target: string, allow: readonly string[]): TargetCheck {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, message: 'The target must be a URL: tcp://host:port or ws://host:port/path.' };
  }
  if (!['tcp:', 'ws:', 'wss:'].includes(url.protocol)) {
    return { ok: false, message: 'The target must start with tcp:// (a VNC server) or ws:// / wss:// (a websockify).' };
  }
  if (!url.hostname || (url.protocol === 'tcp:' && !url.port)) {
    return { ok: false, message: 'The target needs a host and, for tcp://, a port.' };
  }
  if (url.username || url.password) return { ok: false, message: 'Credentials do not belong in a target URL.' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (allow.length === 0) return { ok: false, message: 'No external targets are allowed: set VNC_TARGET_ALLOW to the hosts or CIDRs admins may register.' };
  if (!allow.some((entry) => matches(host, entry.trim().toLowerCase()))) {
    return { ok: false, message: `The host ${host} is not in VNC_TARGET_ALLOW.` };
  }
  return { ok: true, url };
}

function matches(host: string, entry: string): boolean {
  if (entry.includes('/')) return inCidr(host, entry);
  if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
  return host === entry;
}

function inCidr(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const family = net.isIP(base);
  if (!family || net.isIP(host) !== family || !Number.isInteger(bits)) return false;
  const list = new net.BlockList();
  list.addSubnet(base, bits, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

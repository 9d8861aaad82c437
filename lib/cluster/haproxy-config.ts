import fs from 'node:fs';
import path from 'node:path';

// deploy/haproxy.cfg made concrete for one machine: its listeners on the given ports and one `server` line
// per gateway in each backend, nothing else changed, so `npm run cluster` and the tests run the file that
// operators copy. `maxconn` may be lowered to what the machine's open-file limit allows (HAProxy asks for
// two descriptors per connection at start and refuses to start without them).

export const SHIPPED_HAPROXY_CFG = path.resolve(__dirname, '../../deploy/haproxy.cfg');

export type HaproxyLayout = {
  host: string;
  port: number;
  previewPort: number;
  gateways: { port: number; previewPort: number }[];
  maxconn?: number;
};

export function haproxyConfigFor(layout: HaproxyLayout, shipped = fs.readFileSync(SHIPPED_HAPROXY_CFG, 'utf8')): string {
  const out: string[] = [];
  let section = '';
  let serversWritten = false;
  for (const line of shipped.split('\n')) {
    const header = /^(global|defaults|frontend|backend)\b\s*(\S*)/.exec(line);
    if (header) {
      section = `${header[1]} ${header[2]}`.trim();
      serversWritten = false;
    }
    if (/^\s+server gw\d+ /.test(line)) {
      if (serversWritten) continue;
      serversWritten = true;
      const which = section === 'backend gateways' ? 'port' : section === 'backend previews' ? 'previewPort' : null;
      if (!which) throw new Error(`deploy/haproxy.cfg: gateway servers in an unexpected section (${section})`);
      out.push(...layout.gateways.map((g, i) => `    server gw${i + 1} 127.0.0.1:${g[which]}`));
      continue;
    }
    const bind = /^(\s+)bind :(\d+)$/.exec(line);
    if (bind) {
      const port = section === 'frontend portico' ? layout.port : section === 'frontend preview' ? layout.previewPort : null;
      if (port === null) throw new Error(`deploy/haproxy.cfg: a listener in an unexpected section (${section})`);
      out.push(`${bind[1]}bind ${layout.host}:${port}`);
      continue;
    }
    if (layout.maxconn && /^\s+maxconn \d+$/.test(line)) {
      out.push(line.replace(/\d+$/, String(layout.maxconn)));
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../lib/net/ports';

// Debian's HAProxy running the shipped deploy/haproxy.cfg on a loopback port, in front of the given
// gateways (its `bind` and `server` lines rewritten, and `maxconn` lowered to what this machine's
// open-file limit allows: HAProxy needs two descriptors per connection), with its files in a temp dir.

/** Fits a 20,000 open-file limit (the test machines'), with room for HAProxy's own descriptors. */
const TEST_MAXCONN = 9000;
const SHIPPED = path.resolve(__dirname, '../../deploy/haproxy.cfg');

/** The shipped file with its listener on `listenPort` and one `server` line per gateway port. */
export function haproxyConfigFor(listenPort: number, gatewayPorts: number[]): string {
  const shipped = fs.readFileSync(SHIPPED, 'utf8');
  const servers = gatewayPorts.map((p, i) => `    server gw${i + 1} 127.0.0.1:${p}`).join('\n');
  const lines = shipped.split('\n');
  const firstServer = lines.findIndex((l) => /^\s+server gw\d+ /.test(l));
  if (firstServer < 0 || !/^\s+bind :80$/m.test(shipped)) throw new Error('deploy/haproxy.cfg no longer has the bind/server lines this helper rewrites');
  const kept = lines.filter((l, i) => i < firstServer || !/^\s+server gw\d+ /.test(l));
  kept.splice(firstServer, 0, servers);
  return kept
    .join('\n')
    .replace(/^(\s+)bind :80$/m, `$1bind 127.0.0.1:${listenPort}`)
    .replace(/^(\s+)maxconn \d+$/m, `$1maxconn ${TEST_MAXCONN}`);
}

export async function startHaproxy(gatewayPorts: number[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-haproxy-'));
  const port = await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(cfg, haproxyConfigFor(port, gatewayPorts));
  const proc = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } as unknown as NodeJS.ProcessEnv });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)));
  proc.stderr.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)));
  await waitForPort(port, { gaveUp: () => (proc.exitCode !== null ? `haproxy did not start: ${output}` : null) });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    /** What HAProxy logged (one line per finished request or socket), and its warnings. */
    output: () => output,
    async close() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

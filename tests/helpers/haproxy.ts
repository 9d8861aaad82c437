import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../lib/net/ports';
import { haproxyConfigFor } from '../../lib/cluster/haproxy-config';

// Debian's HAProxy running the shipped deploy/haproxy.cfg on a loopback port, in front of the given
// gateways (lib/cluster/haproxy-config.ts: its listeners and `server` lines, and `maxconn` lowered to
// what this machine's open-file limit allows), with its files in a temp dir.

/** Fits a 20,000 open-file limit (the test machines'), with room for HAProxy's own descriptors. */
const TEST_MAXCONN = 9000;

export async function startHaproxy(gateways: { port: number; previewPort: number }[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-haproxy-'));
  const port = await freePort();
  const previewPort = await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(cfg, haproxyConfigFor({ host: '127.0.0.1', port, previewPort, gateways, maxconn: TEST_MAXCONN }));
  const proc = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } as unknown as NodeJS.ProcessEnv });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)));
  proc.stderr.on('data', (d: Buffer) => (output = (output + d).slice(-20_000)));
  await waitForPort(port, { gaveUp: () => (proc.exitCode !== null ? `haproxy did not start: ${output}` : null) });
  return {
    url: `http://127.0.0.1:${port}`,
    previewUrl: `http://127.0.0.1:${previewPort}`,
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

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../lib/net/ports';

// Debian's nginx on a loopback port, running the shipped deploy/nginx.conf (or a variant of it) in front
// of a gateway, with everything it writes kept in a temp dir.

const SHIPPED = path.resolve(__dirname, '../../deploy/nginx.conf');

export function shippedConfig(): string {
  return fs.readFileSync(SHIPPED, 'utf8');
}

/** Points a site config at the gateway and a loopback listen port. */
export function siteFor(config: string, upstreamPort: number, listenPort: number): string {
  return config.replace(/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${upstreamPort};`).replace(/listen 80;/, `listen 127.0.0.1:${listenPort};`);
}

/** Starts nginx; a free port can be taken between choosing it and nginx binding it, so try a few. */
export async function startNginx(site: (listenPort: number) => string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNginxOnce(site);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test(String(err))) throw err;
    }
  }
}

async function startNginxOnce(site: (listenPort: number) => string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-nginx-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'site.conf'), site(port));
  const asRoot = process.getuid?.() === 0;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      asRoot ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${dir}/body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      `  include ${dir}/site.conf;`,
      '}',
    ].join('\n'),
  );
  const proc = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d));
  const log = () => `${stderr}${fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8') : ''}`;
  await waitForPort(port, { gaveUp: () => (proc.exitCode !== null ? `nginx did not start: ${log()}` : null) }).catch((err: Error) => {
    proc.kill('SIGKILL');
    throw new Error(`${err.message}\n${log()}`);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: proc.pid!,
    dir,
    async close() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGQUIT');
      setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
// Loaded with the test file, so its Postgres (PORTICO_TEST_ENGINES=postgres+redis) stops when the file's tests end.
import './test-database';

// What the declared-route suites share: the Socket.IO example as its own process, a routes file in a
// temporary directory, an upstream that streams server-sent events, and a plain HTTP request whose path
// goes on the wire exactly as written (fetch would normalise `..` and `//`).

const ROOT = path.resolve(__dirname, '../..');

/** examples/socket-io/server.js on an ephemeral port, as an operator would run it. */
export async function startSocketIoExample(): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'examples/socket-io/server.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1' } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${out}`)), 15_000);
    const check = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) (clearTimeout(timer), resolve(Number(m[1])));
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', (d) => (out += d));
    void exited.then(() => (clearTimeout(timer), reject(new Error(`the example exited:\n${out}`))));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The Socket.IO example behind a gateway that declares it with the example's own routes.yaml (pointed at
 * the port the example got), and a signed-in user; `close` stops all three.
 */
export async function startSocketIoBehindGateway() {
  const { startGateway } = await import('./gateway');
  const example = await startSocketIoExample();
  const routes = routesFile();
  const yaml = fs.readFileSync(path.join(ROOT, 'examples/socket-io/routes.yaml'), 'utf8');
  routes.write(yaml.replace('http://127.0.0.1:4300', example.url));
  const gw = await startGateway({ ROUTES_FILE: routes.file });
  const alice = await gw.createUser('alice');
  return {
    example,
    gw,
    alice,
    async close() {
      await gw.close();
      await example.stop();
      routes.remove();
    },
  };
}

/** A routes file in a fresh directory; `write` replaces it the way an editor does (a rename over it). */
export function routesFile(name = 'routes.yaml') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-routes-'));
  const file = path.join(dir, name);
  return {
    file,
    write(text: string) {
      const tmp = path.join(dir, `.${name}.tmp`);
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders };

/**
 * An HTTP upstream: `/…/events` streams `count` server-sent events `gapMs` apart, `/…/slow-head` never
 * answers, anything else answers JSON with what it saw (and tries to set a cookie).
 */
export async function startHttpUpstream(opts: { count?: number; gapMs?: number } = {}) {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url?.includes('/slow-head')) return;
    if (req.url?.includes('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      let n = 0;
      const tick = () => {
        res.write(`id: ${n}\ndata: event ${n}\n\n`);
        if (++n < (opts.count ?? 5)) setTimeout(tick, opts.gapMs ?? 200);
        else res.end();
      };
      return tick();
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c.slice(0, 4096)));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'portico_session=planted; Path=/', 'content-security-policy': "default-src *; script-src * 'unsafe-inline'" });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

export type RawAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request with the path sent byte for byte. */
export function request(base: string, rawPath: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

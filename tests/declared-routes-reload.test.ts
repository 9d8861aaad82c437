import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { ConfigError } from '../lib/config/config';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { startEchoUpstream } from './helpers/upstreams';
import { request, routesFile } from './helpers/declared';
import { spawnServer, startServer } from './helpers/server-process';

// The routes table changes while Portico runs: a good file swaps it (open sockets untouched), a bad one
// keeps the old table and says why in one log line; at startup, a bad file stops the process.

describe('declared routes: reload', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let routes: ReturnType<typeof routesFile>;
  let gw: TestGateway;
  let alice: { token: string };
  const sockets: WebSocket[] = [];
  const table = (extra = '') => `routes:\n  - { path: /echo/, upstream: ${upstream.url}, auth: user, traffic: websocket }\n${extra}`;

  before(async () => {
    upstream = await startEchoUpstream();
    routes = routesFile();
    routes.write(table());
    gw = await startGateway({ ROUTES_FILE: routes.file });
    alice = await gw.createUser('alice');
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await gw?.close();
    await upstream?.close();
    routes?.remove();
  });

  /** Resolves with the next log line of this event. */
  function nextLog(event: string): Promise<Record<string, unknown>> {
    const from = gw.logs.lines.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} log line`)), 10_000);
      const poll = setInterval(() => {
        const hit = gw.logs.lines.slice(from).map((l) => JSON.parse(l)).find((l) => l.event === event);
        if (hit) (clearInterval(poll), clearTimeout(timer), resolve(hit));
      }, 20);
    });
  }

  test('a change of the file swaps the table; 50 open sockets on a declared route stay open and keep working', async () => {
    const open = Array.from({ length: 50 }, () => gw.open('/echo/', { headers: { authorization: `Bearer ${alice.token}` } }));
    sockets.push(...open);
    await Promise.all(open.map(opened));
    let ended = 0;
    for (const ws of open) ws.on('close', () => ended++);

    const reloaded = nextLog('declared_routes_reloaded');
    routes.write(table(`  - { path: /more/, upstream: ${upstream.url}, auth: public }\n`));
    assert.deepEqual((await reloaded).routes, ['/echo/', '/more/']);

    // The new route serves…
    const more = gw.open('/more/');
    sockets.push(more);
    await opened(more);
    more.close();
    // …and every socket opened under the old table still echoes.
    const echoes = await Promise.all(
      open.map((ws, i) => new Promise<string>((r) => (ws.once('message', (d) => r(d.toString())), ws.send(`m${i}`)))),
    );
    assert.deepEqual(echoes, open.map((_, i) => `m${i}`));
    assert.equal(ended, 0, 'no socket was dropped by the reload');
    assert.equal(gw.portico.declared.list().find((r) => r.path === '/echo/')!.openSockets, 50);
    for (const ws of open) ws.close();
  });

  test('a broken file keeps the old table and logs one line that says why', async () => {
    const from = gw.logs.lines.length;
    const failed = nextLog('declared_routes_reload_failed');
    routes.write(table(`  - { path: /more/, upstream: ${upstream.url}, auth: public }\n  - { path: /bad/, upstream: ftp://nowhere, auth: user }\n`));
    const line = await failed;
    assert.equal(line.msg, 'routes not reloaded, the previous table stays: routes.yaml: route 3 (/bad/): upstream: must be an http(s) or ws(s) URL without credentials, query or fragment');
    // Let any straggling change event of the same write settle, then count.
    await new Promise((r) => setTimeout(r, 500));
    const about = gw.logs.lines.slice(from).filter((l) => l.includes('declared_routes'));
    assert.equal(about.length, 1, about.join('\n'));
    // The old table: /more/ still serves, /bad/ does not exist.
    const more = gw.open('/more/');
    sockets.push(more);
    await opened(more);
    more.close();
    assert.equal((await request(gw.url, '/bad/')).status, 404);
  });

  test('reload() (what SIGHUP calls) reads the file again', async () => {
    routes.write(table());
    assert.deepEqual(await gw.portico.declared.reload(), { ok: true, routes: 1 });
    const gone = gw.open('/more/');
    sockets.push(gone);
    assert.equal((await closed(gone)).status, 404);
  });

  test('a change in the directory that leaves the file as it was is no reload and no log line', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const from = gw.logs.lines.length;
    routes.write(table());
    fs.writeFileSync(path.join(path.dirname(routes.file), 'unrelated.txt'), 'x');
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(gw.logs.lines.slice(from).filter((l) => l.includes('declared_routes')), []);
  });

  test("a Kubernetes-style swap (the file is a link through a `..data` link that is replaced) reloads", async () => {
    // ROUTES_FILE → ..data/routes.yaml, ..data → a versioned directory; an update makes a new version and
    // renames a new ..data link over the old one: the file's own name never changes in the directory.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cm-'));
    const version = (n: number, text: string) => {
      fs.mkdirSync(path.join(dir, `v${n}`));
      fs.writeFileSync(path.join(dir, `v${n}`, 'routes.yaml'), text);
      fs.symlinkSync(`v${n}`, path.join(dir, '..data_tmp'));
      fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    };
    version(1, table());
    fs.symlinkSync('..data/routes.yaml', path.join(dir, 'routes.yaml'));
    const cm = await startGateway({ ROUTES_FILE: path.join(dir, 'routes.yaml') });
    try {
      const from = cm.logs.lines.length;
      version(2, table(`  - { path: /more/, upstream: ${upstream.url}, auth: public }\n`));
      const deadline = Date.now() + 10_000;
      while (!cm.logs.lines.slice(from).some((l) => l.includes('declared_routes_reloaded')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(cm.portico.declared.list().map((r) => r.path), ['/echo/', '/more/']);
    } finally {
      await cm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('declared routes: SIGHUP', () => {
  test('reloads a file whose changes the directory watch cannot see (a link to another directory)', async () => {
    const upstream = await startEchoUpstream();
    const real = routesFile();
    const linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-link-'));
    const link = path.join(linkDir, 'routes.yaml');
    real.write(`routes:\n  - { path: /echo/, upstream: ${upstream.url}, auth: public }\n`);
    fs.symlinkSync(real.file, link);
    const server = await startServer({ ROUTES_FILE: link, NODE_ENV: 'test' });
    try {
      real.write(`routes:\n  - { path: /echo/, upstream: ${upstream.url}, auth: public }\n  - { path: /more/, upstream: ${upstream.url}, auth: public }\n`);
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(!server.output().includes('declared_routes_reloaded'), 'the watch saw nothing');
      server.proc.kill('SIGHUP');
      const deadline = Date.now() + 10_000;
      while (!server.output().includes('declared_routes_reloaded') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(server.output(), /"event":"declared_routes_reloaded"[^\n]*"routes":\["\/echo\/","\/more\/"\]/);
      const { WebSocket } = await import('ws');
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/more/');
      await opened(ws);
      ws.close();
      assert.equal(server.proc.exitCode, null, 'SIGHUP does not stop the server');
    } finally {
      await server.stop();
      await upstream.close();
      real.remove();
      fs.rmSync(linkDir, { recursive: true, force: true });
    }
  });
});

describe('declared routes: a bad file at startup', () => {
  test('createPortico refuses with the sentence as a ConfigError', async () => {
    const routes = routesFile();
    routes.write('routes:\n  - { path: /api/x/, upstream: http://127.0.0.1:1, auth: user }\n');
    try {
      await assert.rejects(startGateway({ ROUTES_FILE: routes.file }), (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^routes\.yaml: route 1 \(\/api\/x\/\): path: must not start with a path of Portico's own/);
        return true;
      });
    } finally {
      routes.remove();
    }
  });

  test('server.ts exits 78 with that sentence', async () => {
    const routes = routesFile();
    routes.write('routes:\n  - { path: /x/, upstream: http://127.0.0.1:1, auth: nobody }\n');
    try {
      const s = spawnServer({ ROUTES_FILE: routes.file, NODE_ENV: 'test' });
      const { code } = await s.exited;
      assert.equal(code, 78);
      assert.match(s.output(), /portico: routes\.yaml: route 1 \(\/x\/\): auth: must be "public", "user", "admin" or/);
    } finally {
      routes.remove();
    }
  });
});

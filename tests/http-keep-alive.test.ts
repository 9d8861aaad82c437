import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KEEP_ALIVE_MS } from '../lib/http/keep-alive';
import { startGateway, type TestGateway } from './helpers/gateway';

// A client that pools connections (nginx's upstream keepalive, a browser, an HTTP library) sends its next
// request on a connection that sat idle. With Node's default 5 s the server had closed it by then, or
// closed it as the request went out: a reset instead of an answer. The gateway keeps it longer.

let gw: TestGateway;
before(async () => {
  gw = await startGateway();
});
after(() => gw.close());

/** Sends one keep-alive request on `c` and resolves with the status line of its answer. */
function ask(c: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(got);
      if (end >= 0 && length && got.length >= end + 4 + Number(length[1])) {
        c.off('data', onData).off('close', onClose);
        resolve(got.slice(0, got.indexOf('\r\n')));
      }
    };
    const onClose = () => reject(new Error(`the server closed the connection (after ${JSON.stringify(got.slice(0, 40))})`));
    c.on('data', onData).once('close', onClose);
    c.write(`GET /healthz HTTP/1.1\r\nHost: ${new URL(gw.url).host}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

test('an idle keep-alive connection still answers after 6 s (Node closes it at 5), and is kept longer than a proxy keeps its own', async () => {
  // The shipped nginx config must give up an idle upstream connection before the gateway does.
  const nginx = fs.readFileSync(path.join(__dirname, '..', 'deploy', 'nginx.conf'), 'utf8');
  const proxySeconds = Number(/^\s*keepalive_timeout\s+(\d+)s;/m.exec(nginx)?.[1]);
  assert.ok(proxySeconds > 0, 'deploy/nginx.conf sets keepalive_timeout in its upstream');
  assert.ok(KEEP_ALIVE_MS > proxySeconds * 1000, `the gateway's ${KEEP_ALIVE_MS} ms is above nginx's ${proxySeconds} s`);
  const url = new URL(gw.url);
  const c = net.connect(Number(url.port), url.hostname);
  c.on('error', () => undefined);
  assert.match(await ask(c), /^HTTP\/1\.1 200/);
  await new Promise((r) => setTimeout(r, 6000));
  assert.match(await ask(c), /^HTTP\/1\.1 200/, 'the same connection answered its second request');
  c.destroy();
});

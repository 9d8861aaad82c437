import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { watchClient, type ClientWatch } from './client-gone';

// The watcher on real upgraded sockets from Node's HTTP server: half-open allowed, nothing reading.

let server: http.Server;
let port: number;
let watched: (w: { watch: ClientWatch; socket: net.Socket; head: Buffer }) => void;

before(async () => {
  server = http.createServer();
  server.on('upgrade', (_req, socket: net.Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    watched({ watch: watchClient(socket), socket, head });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
after(() => new Promise((r) => server.close(r)));

function upgrade(extra = ''): Promise<{ client: net.Socket; w: { watch: ClientWatch; socket: net.Socket; head: Buffer } }> {
  return new Promise((resolve) => {
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    watched = (w) => resolve({ client, w });
    client.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n${extra}`);
  });
}

const aborted = (signal: AbortSignal) => new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r())));

test('a FIN from the client aborts the signal, though the socket stays half open', async () => {
  const { client, w } = await upgrade();
  client.end();
  await aborted(w.watch.signal);
  assert.equal(w.socket.destroyed, false);
  w.socket.destroy();
});

test('a reset from the client aborts the signal', async () => {
  const { client, w } = await upgrade();
  client.resetAndDestroy();
  await aborted(w.watch.signal);
});

test('bytes sent early come back from handOver after the head, and the next reader gets the rest', async () => {
  const { client, w } = await upgrade();
  // Seen by the watcher first (its listener came first), then by this one.
  const seen = new Promise((r) => w.socket.once('data', r));
  client.write('early');
  await seen;
  const early = w.watch.handOver(Buffer.from('head:'));
  assert.equal(early.toString(), 'head:early');
  const later = new Promise<string>((r) => w.socket.once('data', (d: Buffer) => r(d.toString())));
  client.write('third');
  assert.equal(await later, 'third');
  assert.equal(w.watch.signal.aborted, false);
  client.destroy();
  w.socket.destroy();
});

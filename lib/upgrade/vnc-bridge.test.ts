import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { bridge, type Bridge } from './vnc-bridge';
import { connectVm } from './vm-connect';
import type { ShareRights } from './rfb-view-only';

// The bridge on its own: an HTTP server whose upgrades are bridged to a TCP echo server, driven by `ws`
// clients and by hand-made frames, so each framing rule is checked against what a real client sends.

let echo: net.Server;
let server: http.Server;
let url: string;
const bridges: Bridge[] = [];
const GREETING = Buffer.from('RFB 003.008\n', 'latin1');

before(async () => {
  // An RFB server speaks first; the bridge answers the browser only once it has.
  echo = net.createServer((c) => {
    c.on('error', () => undefined);
    c.write(GREETING);
    c.pipe(c);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  server = http.createServer();
  server.on('upgrade', async (req, socket, head) => {
    socket.on('error', () => undefined);
    const vm = await connectVm({ kind: 'tcp', host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port }, 2000);
    // `?rights=` makes the client a share link's viewer; the echo server then says what reached the VM.
    const rights = new URL(req.url ?? '/', 'http://x').searchParams.get('rights') as ShareRights | null;
    const b = await bridge(req, socket, head, vm.socket, vm.greeting, rights ?? undefined);
    if (b) bridges.push(b);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

after(async () => {
  await Promise.all(bridges.map((b) => b.close(1001, 'test over')));
  server.close();
  echo.close();
});

/** A client past the VM's greeting, which the bridge relays as the first message. */
function open(query = ''): Promise<WebSocket> {
  const ws = new WebSocket(url + query, ['binary']);
  return new Promise((resolve, reject) => {
    ws.once('message', (d: Buffer) => (d.equals(GREETING) ? resolve(ws) : reject(new Error(`first message: ${d.toString('latin1')}`))));
    ws.once('error', reject);
  });
}

/** Collects binary messages until `n` bytes arrived. */
function receive(ws: WebSocket, n: number): Promise<Buffer> {
  const got: Buffer[] = [];
  let size = 0;
  return new Promise((resolve) => {
    const onMessage = (d: Buffer) => {
      got.push(d);
      size += d.length;
      if (size >= n) {
        ws.off('message', onMessage);
        resolve(Buffer.concat(got));
      }
    };
    ws.on('message', onMessage);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('the VNC bridge', () => {
  test('selects `binary` and returns the bytes of a message sent in fragments', async () => {
    const ws = await open();
    assert.equal(ws.protocol, 'binary');
    const a = randomBytes(70_000);
    const b = randomBytes(3);
    const back = receive(ws, a.length + b.length);
    ws.send(a, { fin: false });
    ws.send(b, { fin: true });
    assert.ok((await back).equals(Buffer.concat([a, b])));
    ws.close();
    await closed(ws);
  });

  test('answers a ping with a pong carrying the same bytes', async () => {
    const ws = await open();
    const pong = new Promise<Buffer>((r) => ws.once('pong', r));
    ws.ping(Buffer.from('are you there'));
    assert.equal((await pong).toString(), 'are you there');
    ws.close();
    await closed(ws);
  });

  test('reads frames whose header and payload arrive one byte at a time', async () => {
    const ws = await open();
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    const payload = Buffer.from('split everywhere');
    const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
    const frame = Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, Buffer.from(payload.map((x, i) => x ^ mask[i & 3]))]);
    const back = receive(ws, payload.length);
    for (const byte of frame) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal((await back).toString(), payload.toString());
    ws.close();
    await closed(ws);
  });

  test('the closing handshake: the client gets its own code back', async () => {
    const ws = await open();
    ws.close(4000, 'done here');
    assert.equal(await closed(ws), 4000);
  });

  test('a close from the gateway reaches the client with its code', async () => {
    const ws = await open();
    const code = closed(ws);
    await new Promise((r) => setTimeout(r, 20));
    await bridges[bridges.length - 1].close(1001, 'server going away');
    assert.equal(await code, 1001);
  });

  test('an unmasked frame from a client is not a browser: the connection is dropped', async () => {
    const ws = await open();
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    socket.write(Buffer.from([0x82, 0x02, 0x61, 0x62]));
    assert.equal(await closed(ws), 1006);
  });

  test("a view-only viewer's input never reaches the VM, and its ClientInit is made shared", async () => {
    const ws = await open('/?rights=view-only');
    const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]);
    const fbur = Buffer.from([3, 1, 0, 0, 0, 0, 5, 0, 3, 32]);
    const expected = Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1]), fbur]);
    const back = receive(ws, expected.length);
    ws.send(Buffer.from('RFB 003.008\n'));
    ws.send(Buffer.from([1, 0])); // security None, then an exclusive ClientInit
    ws.send(Buffer.concat([key, fbur]));
    assert.deepEqual(await back, expected);
    ws.close();
    await closed(ws);
  });

  test('a shared viewer that breaks RFB is closed with 4400 and the reason', async () => {
    const ws = await open('/?rights=interactive');
    const reason = new Promise<string>((r) => ws.once('close', (_c, why: Buffer) => r(why.toString())));
    const code = closed(ws);
    ws.send(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1, 42])]));
    assert.equal(await code, 4400);
    assert.equal(await reason, 'RFB refused: unknown RFB message type 42');
  });
});

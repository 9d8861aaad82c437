import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { answerPings, sendWithinLimit } from './peer-bound';

const LIMIT = 256 * 1024;

describe('peer bounds on a real ws server', () => {
  let wss: WebSocketServer;
  let url: string;
  const serverSide: WebSocket[] = [];

  before(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
    wss.on('connection', (ws) => {
      serverSide.push(ws);
      answerPings(ws, LIMIT);
    });
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => wss.close(r)));

  const connect = async () => {
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    for (let i = 0; i < 100 && serverSide.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return { client: ws, server: serverSide.shift()! };
  };

  test('a reading peer gets its pongs', async () => {
    const { client } = await connect();
    const pong = new Promise<Buffer>((r) => client.once('pong', r));
    client.ping('are you there');
    assert.equal((await pong).toString(), 'are you there');
    client.close();
  });

  test('a peer that stops reading is closed with 1013 once it owes more than the bound', async () => {
    const { client, server } = await connect();
    const end = new Promise<{ code: number; reason: string }>((r) => client.once('close', (code, reason) => r({ code, reason: reason.toString() })));
    client.pause();
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    // Kernel buffers take a few MiB first; a bounded loop keeps the test from hanging if the bound breaks.
    while (sent < 64 * 1024 * 1024 && sendWithinLimit(server, chunk, LIMIT)) sent += chunk.length;
    assert.ok(server.bufferedAmount <= LIMIT + chunk.length, `the server holds ${server.bufferedAmount} bytes for the peer`);
    assert.equal(server.readyState, WebSocket.CLOSING);
    client.resume();
    assert.deepEqual(await end, { code: 1013, reason: `peer not reading: owes more than ${LIMIT} bytes` });
  });
});

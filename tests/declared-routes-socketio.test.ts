import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { closed, startGateway, type TestGateway } from './helpers/gateway';
import { routesFile, startSocketIoExample } from './helpers/declared';

// The proof: the Socket.IO example (examples/socket-io), declared at /socket.io/ with `user` auth by
// its own routes.yaml, reached through Portico by a real socket.io-client — long-polling first, then the
// upgrade to WebSocket, events both ways — and refused without a token.

describe('Socket.IO behind a declared route', () => {
  let example: Awaited<ReturnType<typeof startSocketIoExample>>;
  let routes: ReturnType<typeof routesFile>;
  let gw: TestGateway;
  let alice: { username: string; token: string };
  const clients: Socket[] = [];

  before(async () => {
    example = await startSocketIoExample();
    routes = routesFile();
    // The example's own file, pointed at the port the example got.
    const yaml = fs.readFileSync(path.join(__dirname, '../examples/socket-io/routes.yaml'), 'utf8');
    routes.write(yaml.replace('http://127.0.0.1:4300', example.url));
    gw = await startGateway({ ROUTES_FILE: routes.file });
    alice = await gw.createUser('alice');
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await gw?.close();
    await example?.stop();
    routes?.remove();
  });

  function connect(token?: string): Socket {
    const socket = io(gw.url, {
      path: '/socket.io/',
      transports: ['polling', 'websocket'],
      reconnection: false,
      extraHeaders: token ? { authorization: `Bearer ${token}` } : {},
    });
    clients.push(socket);
    return socket;
  }

  test('connects on long-polling, upgrades to WebSocket, receives the greeting and echoes', async () => {
    const socket = connect(alice.token);
    const hello = new Promise<{ user: string; transport: string }>((r) => socket.once('hello', r));
    // Read at the moment each event fires: the upgrade may finish before the awaits below resume (and,
    // on a busy machine, before Socket.IO's own connect, which is why the engine's open is what is read).
    const openedOn = new Promise<string>((r) => socket.io.engine.once('open', () => r(socket.io.engine.transport.name)));
    const upgraded = new Promise<string>((r) => socket.io.engine.once('upgrade', (t: { name: string }) => r(t.name)));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    assert.equal(await openedOn, 'polling');
    // The example says who Portico told it the user is: the route's identity headers, not the client's word.
    assert.equal((await hello).user, 'alice');
    assert.equal(await upgraded, 'websocket');
    assert.equal(socket.io.engine.transport.name, 'websocket');
    const echoed = await socket.timeout(5000).emitWithAck('echo', { n: 1, text: 'through the front door' });
    assert.deepEqual(echoed, { n: 1, text: 'through the front door' });
    // The upgraded socket is a declared-route socket in the registry.
    assert.equal(gw.portico.registry.byRoute()['socket-io'], 1);
    socket.disconnect();
  });

  test('a WebSocket-only client connects too', async () => {
    const socket = io(gw.url, { path: '/socket.io/', transports: ['websocket'], reconnection: false, extraHeaders: { authorization: `Bearer ${alice.token}` } });
    clients.push(socket);
    const hello = await new Promise<{ user: string; transport: string }>((resolve, reject) => {
      socket.once('hello', resolve);
      socket.once('connect_error', reject);
    });
    assert.deepEqual(hello, { user: 'alice', transport: 'websocket' });
    socket.disconnect();
  });

  test('refused without a token', async () => {
    const socket = connect();
    const err = await new Promise<Error>((resolve, reject) => {
      socket.once('connect_error', resolve);
      socket.once('connect', () => reject(new Error('connected without a token')));
    });
    assert.match(err.message, /xhr poll error|401/i);
    // Socket.IO's own WebSocket transport only reports a refused socket at its connect timeout (20 s), so
    // the upgrade's refusal is read from a plain WebSocket: the documented close code.
    const ws = gw.open('/socket.io/?EIO=4&transport=websocket');
    assert.deepEqual(await closed(ws), { code: 4401, reason: 'no token' });
  });

  test('refused with a token that is not one', async () => {
    const socket = connect('not-a-token');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect_error', () => resolve());
      socket.once('connect', () => reject(new Error('connected with a forged token')));
    });
  });
});

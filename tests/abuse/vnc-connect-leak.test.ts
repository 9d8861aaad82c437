import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { opened, startGateway, type TestGateway } from '../helpers/gateway';
import { rawUpgrade, startSilentVm, waitUntil } from './raw-upgrade';

// Finding 4: "22 of 40 viewers that left during connect leaked their socket, lease and VM connection for
// good, with no log line." Here 40 raw clients leave (FIN or RST) at various moments while the gateway is
// still connecting them to a VM that accepts and never speaks. Afterwards nothing of theirs is held.

const CLIENTS = 40;
let gw: TestGateway;
let vm: Awaited<ReturnType<typeof startSilentVm>>;
let user: { id: string; token: string };
let sessionId: string;

before(async () => {
  vm = await startSilentVm();
  // A connect timeout far beyond the test's own waits: whatever is released, the clients' leaving did it.
  gw = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.1', UPSTREAM_CONNECT_TIMEOUT_MS: '60000', MAX_SOCKETS_PER_USER: String(CLIENTS) });
  user = await gw.createUser('leaver');
  const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'silent', target: `tcp://127.0.0.1:${vm.port}`, ownerId: user.id } });
  assert.equal(s.status, 201);
  sessionId = s.body.id;
});
after(async () => {
  await gw.close();
  await vm.close();
});

test('40 viewers that leave while the gateway connects release their lease, VM connection and log a line each', async () => {
  const delays = [0, 1, 5, 20, 60, 150];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const c = rawUpgrade(gw.url, `/api/sessions/${sessionId}/vnc?token=${user.token}`);
      await new Promise((r) => setTimeout(r, delays[i % delays.length]));
      // Half of them close politely (FIN, the socket stays half open on the gateway's side), half reset.
      if (i % 2 === 0) c.end();
      else c.resetAndDestroy();
    }),
  );
  const leftLines = () => gw.logs.parsed().filter((l) => l.event === 'socket_end' && l.outcome === 'client_left').length;
  await waitUntil(() => leftLines() === CLIENTS && vm.openConnections === 0, 5000, () => `${leftLines()} client_left lines, ${vm.openConnections} VM connections still open`);
  assert.equal(gw.portico.registry.size, 0);

  // Every lease came back: the user can open MAX_SOCKETS_PER_USER sockets again.
  const sockets = Array.from({ length: CLIENTS }, () => gw.open(`/api/events?token=${user.token}`));
  await Promise.all(sockets.map((ws) => opened(ws)));
  for (const ws of sockets) ws.terminate();
});

test('the same through the ws:// proxy: an upstream that never answers the handshake keeps nothing', async () => {
  // A websockify that accepts the TCP connection and never answers the upgrade.
  const upstream = await startSilentVm();
  const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'silent ws', target: `ws://127.0.0.1:${upstream.port}/websockify`, ownerId: user.id } });
  assert.equal(s.status, 201);
  const before = gw.logs.parsed().filter((l) => l.event === 'socket_end' && l.outcome === 'client_left').length;
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const c = rawUpgrade(gw.url, `/api/sessions/${s.body.id}/vnc?token=${user.token}`);
        await new Promise((r) => setTimeout(r, [0, 5, 30, 100][i % 4]));
        if (i % 2 === 0) c.end();
        else c.resetAndDestroy();
      }),
    );
    const leftLines = () => gw.logs.parsed().filter((l) => l.event === 'socket_end' && l.outcome === 'client_left').length - before;
    await waitUntil(() => leftLines() === CLIENTS && upstream.openConnections === 0, 5000, () => `${leftLines()} client_left lines, ${upstream.openConnections} upstream connections still open`);
    const sockets = Array.from({ length: CLIENTS }, () => gw.open(`/api/events?token=${user.token}`));
    await Promise.all(sockets.map((ws) => opened(ws)));
    for (const ws of sockets) ws.terminate();
  } finally {
    await upstream.close();
  }
});

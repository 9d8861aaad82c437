import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { maskedFrame, rawUpgrade, readUntil } from './raw-upgrade';

// Finding 3 (bridge): "a client that sends pings and never reads raised RSS by ~700 MiB in 16 s". The
// bridge answers each ping with a pong, and wrote them whether or not the client read. Now a client that
// owes more than the bound (1 MiB) is closed with 1013 and dropped, so the gateway's memory stays flat.

let gw: TestGateway;
let vm: net.Server;

before(async () => {
  // A VM that greets, then echoes.
  vm = net.createServer((c) => {
    c.on('error', () => undefined);
    c.write('RFB 003.008\n');
    c.pipe(c);
  });
  await new Promise<void>((r) => vm.listen(0, '127.0.0.1', () => r()));
  gw = await startGateway({ VNC_TARGET_ALLOW: '127.0.0.1' });
});
after(async () => {
  await gw.close();
  await new Promise((r) => vm.close(r));
});

test('a client that floods pings and never reads does not grow the gateway', async () => {
  const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'vm', target: `tcp://127.0.0.1:${(vm.address() as net.AddressInfo).port}` } });
  const c = rawUpgrade(gw.url, `/api/sessions/${s.body.id}/vnc?token=${gw.adminToken}`);
  // The 101 and the greeting's frame, then never read again.
  await readUntil(c, (got) => got.includes('\r\n\r\n') && got.length >= got.indexOf('\r\n\r\n') + 4 + 14);
  c.pause();
  let closedAt = 0;
  c.once('close', () => (closedAt = Date.now()));
  const floodStart = Date.now();
  // Big pings make big pongs: 125 bytes of payload each, 2000 to a write.
  const burst = Buffer.concat(Array.from({ length: 2000 }, () => maskedFrame(0x9, Buffer.alloc(125, 0x70))));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let sent = 0;
  const until = Date.now() + 4000;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (Date.now() < until) {
        sent += burst.length;
        if (!c.write(burst)) return void c.once('drain', pump);
      }
      resolve();
    };
    pump();
    // A gateway that stops reading never drains us: the deadline ends the flood either way.
    setTimeout(resolve, 4000 + 50).unref();
  });
  const growth = process.memoryUsage().rss - rssBefore;
  c.destroy();
  assert.ok(closedAt > 0, 'the gateway kept a client that never reads');
  assert.ok(closedAt - floodStart < 3000, `the gateway took ${closedAt - floodStart} ms to drop a client that never reads`);
  // The log says why: the gateway ended it with 1013 (the close frame itself cannot reach a client that
  // does not read).
  const deadline = Date.now() + 2000;
  let line: string | undefined;
  while (!(line = gw.logs.lines.find((l) => l.includes('"socket_end"') && l.includes('"route":"vnc"'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(line ?? '', /"endedBy":"gateway".*"code":1013/);
  assert.ok(growth < 64 * 1024 * 1024, `the gateway's RSS grew by ${Math.round(growth / 1048576)} MiB while the client sent ${Math.round(sent / 1048576)} MiB of pings`);
});

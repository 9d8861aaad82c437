import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from './helpers/gateway';
import { shippedConfig, siteFor, startNginx } from './helpers/nginx';

// `npm run doctor` as a user runs it, against Portico direct and behind Debian's nginx: the shipped
// config passes, and each classic misconfiguration is named.

const ROOT = path.resolve(__dirname, '..');
const nginxMissing = fs.existsSync('/usr/sbin/nginx') ? false : 'nginx is not installed (apt-get install -y nginx)';

function doctor(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/doctor.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.once('exit', (code) => resolve({ code, out }));
  });
}

describe('doctor and nginx', { skip: nginxMissing }, () => {
  let gw: TestGateway;
  let gwPort: number;
  before(async () => {
    gw = await startGateway();
    gwPort = Number(new URL(gw.url).port);
  });
  after(() => gw.close());

  test('against Portico direct: every layer passes, exit 0', async () => {
    const r = await doctor([gw.url, '--token', gw.adminToken, '--seconds', '1']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Every layer works\./);
    assert.match(r.out, /ok {3}handshake +101 Switching Protocols with a valid Sec-WebSocket-Accept, then close 4401/);
    assert.ok(!r.out.includes(gw.adminToken), 'the doctor does not print the token');
  });

  test('behind nginx with the shipped config: every layer passes, and --json says so', async () => {
    const nginx = await startNginx((port) => siteFor(shippedConfig(), gwPort, port));
    try {
      const r = await doctor([nginx.url, '--token', gw.adminToken, '--seconds', '1', '--json']);
      assert.equal(r.code, 0, r.out);
      const report = JSON.parse(r.out);
      assert.equal(report.ok, true);
      assert.deepEqual(report.checks.map((c: { name: string }) => c.name), ['dns', 'tcp', 'http', 'handshake', 'auth', 'round-trip', 'stability']);
    } finally {
      await nginx.close();
    }
  });

  test('nginx without the Upgrade headers: diagnosed as such, and --direct says the backend is fine', async () => {
    const broken = shippedConfig()
      .split('\n')
      .filter((l) => !/proxy_set_header (Upgrade|Connection \$connection_upgrade)/.test(l))
      .join('\n');
    const nginx = await startNginx((port) => siteFor(broken, gwPort, port));
    try {
      const r = await doctor([nginx.url, '--token', gw.adminToken, '--seconds', '1', '--direct', gw.url]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /FAIL handshake +The answer was 426 Upgrade Required without Upgrade/);
      assert.match(r.out, /fix: The proxy is not forwarding the Upgrade header\. In nginx: proxy_http_version 1\.1; proxy_set_header Upgrade \$http_upgrade;/);
      assert.match(r.out, /Backend fine, proxy broken: through .* the handshake check fails, directly it passes\./);
    } finally {
      await nginx.close();
    }
  });

  test('nginx with a 3 s proxy_read_timeout and no heartbeat: an idle timeout at about 3 s', async () => {
    const quiet = await startGateway({ HEARTBEAT_MS: '600000' });
    const short = shippedConfig().replace(/proxy_read_timeout 1h;/g, 'proxy_read_timeout 3s;');
    const nginx = await startNginx((port) => siteFor(short, Number(new URL(quiet.url).port), port));
    try {
      const r = await doctor([nginx.url, '--token', quiet.adminToken, '--seconds', '6', '--json']);
      assert.equal(r.code, 1, r.out);
      const stability = JSON.parse(r.out).checks.find((c: { name: string }) => c.name === 'stability');
      assert.equal(stability.ok, false);
      assert.ok(stability.ms >= 2500 && stability.ms <= 4500, `closed after ${stability.ms} ms`);
      assert.match(stability.detail, /with no traffic in between: an idle timeout/);
      assert.match(stability.fix, /closes connections idle for about 3 s \(nginx: proxy_read_timeout/);
    } finally {
      await nginx.close();
      await quiet.close();
    }
  });

  test('a refused port and a bad argument are named, never a stack trace', async () => {
    const r = await doctor(['http://127.0.0.1:1', '--seconds', '1']);
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL tcp +127\.0\.0\.1:1 refused the connection \(ECONNREFUSED\)/);
    const usage = await doctor([]);
    assert.equal(usage.code, 2);
    assert.match(usage.out, /^usage: npm run doctor/);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SHIPPED_HAPROXY_CFG, haproxyConfigFor } from './haproxy-config';

const haproxyCheck = (file: string) => spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });

test('the shipped haproxy.cfg is valid as shipped', () => {
  const r = haproxyCheck(SHIPPED_HAPROXY_CFG);
  assert.equal(r.status, 0, r.stderr);
});

test('made concrete: both listeners on the given ports, one server per gateway in each backend, the rest as shipped', () => {
  const cfg = haproxyConfigFor({ host: '127.0.0.1', port: 8080, previewPort: 8081, maxconn: 9000, gateways: [{ port: 5001, previewPort: 6001 }, { port: 5002, previewPort: 6002 }, { port: 5003, previewPort: 6003 }] });
  assert.match(cfg, /frontend portico\n(?:.*\n)*?\s+bind 127\.0\.0\.1:8080\n/);
  assert.match(cfg, /frontend preview\n\s+bind 127\.0\.0\.1:8081\n/);
  const gateways = cfg.slice(cfg.indexOf('backend gateways'), cfg.indexOf('frontend preview'));
  assert.deepEqual(gateways.match(/server gw\d 127\.0\.0\.1:\d+/g), ['server gw1 127.0.0.1:5001', 'server gw2 127.0.0.1:5002', 'server gw3 127.0.0.1:5003']);
  const previews = cfg.slice(cfg.indexOf('backend previews'));
  assert.deepEqual(previews.match(/server gw\d 127\.0\.0\.1:\d+/g), ['server gw1 127.0.0.1:6001', 'server gw2 127.0.0.1:6002', 'server gw3 127.0.0.1:6003']);
  assert.match(cfg, /^\s+maxconn 9000$/m);
  assert.match(cfg, /timeout tunnel 1h/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-hacfg-'));
  try {
    fs.writeFileSync(path.join(dir, 'h.cfg'), cfg);
    const r = haproxyCheck(path.join(dir, 'h.cfg'));
    assert.equal(r.status, 0, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../lib/config/config';

// What the vmhost and a gateway pointed at one need before they start, said in a sentence.

const ROOT = path.resolve(__dirname, '..');

test('a gateway with VMHOST_URL refuses to start without a VMHOST_SECRET of 32 bytes', () => {
  const base = { NODE_ENV: 'test', VMHOST_URL: 'http://127.0.0.1:3002' };
  assert.throws(() => loadConfig(base), (err: Error) => err instanceof ConfigError && /VMHOST_SECRET is not set/.test(err.message));
  assert.throws(() => loadConfig({ ...base, VMHOST_SECRET: 'short' }), /VMHOST_SECRET is too short/);
  assert.equal(loadConfig({ ...base, VMHOST_SECRET: 'x'.repeat(32) }).vmhostUrl, 'http://127.0.0.1:3002');
  assert.throws(() => loadConfig({ ...base, VMHOST_URL: 'ftp://vmhost', VMHOST_SECRET: 'x'.repeat(32) }), /VMHOST_URL/);
  // Unset, nothing is asked of anyone: the embedded provider, as before.
  assert.equal(loadConfig({ NODE_ENV: 'test' }).vmhostUrl, undefined);
});

test('npm run vmhost without VMHOST_SECRET exits 78 with the sentence, and needs no JWT_SECRET in production', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-vmhost-'));
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'vmhost.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', DATA_DIR: dataDir, VMHOST_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    assert.equal(code, 78, out);
    assert.match(out, /portico vmhost: VMHOST_SECRET is not set/);
    assert.doesNotMatch(out, /JWT_SECRET/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

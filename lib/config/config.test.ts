import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, loadConfig, loadToolConfig } from './config';

describe('the variables', () => {
  test('.env.example and the README table list every variable the schema reads, and nothing else', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const example = [...fs.readFileSync(path.join(root, '.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const readme = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    const ours = [...CONFIG_VARIABLES].filter((v) => v !== 'NODE_ENV').sort();
    assert.deepEqual([...new Set(example)].sort(), ours);
    for (const v of ours) assert.ok(readme.includes(v), `${v} is not in the README's environment table`);
  });
});

describe('loadConfig', () => {
  test('applies the documented defaults and freezes the result', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.maxSocketsPerUser, 100);
    assert.equal(c.heartbeatMs, 25000);
    assert.equal(c.llmBaseUrl, 'http://localhost:1234/v1');
    assert.deepEqual(c.allowedOrigins, []);
    assert.ok(Object.isFrozen(c));
  });
  test('the build backend takes any free port by default; its standalone host is loopback unless set', () => {
    const d = loadConfig({});
    assert.equal(d.buildBackendPort, 0);
    assert.equal(d.buildBackendHost, '127.0.0.1');
    const c = loadConfig({ BUILD_BACKEND_PORT: '4100', BUILD_BACKEND_HOST: '0.0.0.0' });
    assert.equal(c.buildBackendPort, 4100);
    assert.equal(c.buildBackendHost, '0.0.0.0');
    assert.equal(loadConfig({ BUILD_BACKEND_HOST: 'backend.internal' }).buildBackendHost, 'backend.internal');
    assert.throws(() => loadConfig({ BUILD_BACKEND_HOST: 'http://x/' }), /BUILD_BACKEND_HOST/);
  });
  test("the operator tools read their variables through zod too, without the server's requirements", () => {
    assert.equal(loadToolConfig({}).porticoToken, undefined);
    assert.equal(loadToolConfig({ NODE_ENV: 'production', PORTICO_TOKEN: 'abc' }).porticoToken, 'abc');
  });
  test('every per-user limit has a default and can be set', () => {
    const d = loadConfig({});
    assert.deepEqual(
      [d.maxStorageBytesPerUser, d.maxProjectsPerUser, d.maxSessionsPerUser, d.maxBuildsPerHour, d.llmMaxTokens, d.llmMaxOutputBytes],
      [524288000, 50, 3, 30, 8192, 1048576],
    );
    const c = loadConfig({ MAX_PROJECTS_PER_USER: '7', LLM_MAX_OUTPUT_BYTES: '4096' });
    assert.equal(c.maxProjectsPerUser, 7);
    assert.equal(c.llmMaxOutputBytes, 4096);
    assert.throws(() => loadConfig({ MAX_PROJECTS_PER_USER: '0' }), /MAX_PROJECTS_PER_USER/);
  });
  test('production refuses a missing or short JWT_SECRET with one line', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), (e: Error) => e instanceof ConfigError && /JWT_SECRET is not set/.test(e.message) && !e.message.includes('\n'));
    assert.throws(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' }), /JWT_SECRET is too short/);
    assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(32) }).production, true);
  });
  test('a bad value names the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' }), /ALLOWED_ORIGINS/);
    assert.throws(() => loadConfig({ LLM_PROVIDER: 'magic' }), /LLM_PROVIDER/);
  });
  test('origins are normalised', () => {
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'https://a.example/, http://b.example:8080/x' }).allowedOrigins, ['https://a.example', 'http://b.example:8080']);
  });
});

test('TRUSTED_PROXIES: loopback by default, "none" for none, anything but addresses and CIDRs refused', () => {
  assert.deepEqual(loadConfig({}).trustedProxies, ['127.0.0.1', '::1']);
  assert.deepEqual(loadConfig({ TRUSTED_PROXIES: 'none' }).trustedProxies, []);
  assert.deepEqual(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, fd00::1' }).trustedProxies, ['10.0.0.0/8', 'fd00::1']);
  assert.throws(() => loadConfig({ TRUSTED_PROXIES: 'proxy.lan' }), /TRUSTED_PROXIES/);
  assert.throws(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' }), /TRUSTED_PROXIES/);
});

test("a VM desktop's cgroup limits: 1 GiB, 256 processes, one core by default; a fraction of a core may be set", () => {
  const d = loadConfig({});
  assert.deepEqual([d.vmMemoryMaxBytes, d.vmPidsMax, d.vmCpuMax], [1073741824, 256, 1]);
  assert.equal(loadConfig({ VM_CPU_MAX: '0.5' }).vmCpuMax, 0.5);
  assert.throws(() => loadConfig({ VM_CPU_MAX: '0' }), /VM_CPU_MAX/);
  assert.throws(() => loadConfig({ VM_MEMORY_MAX_BYTES: '1000' }), /VM_MEMORY_MAX_BYTES/);
});

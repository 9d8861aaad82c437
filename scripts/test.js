#!/usr/bin/env node
// `npm test`: every suite the project has, in the order a failure is cheapest to read:
// lockfile → typecheck → production build → unit + integration (node:test, real servers on ephemeral
// ports, server.ts as a process) → end-to-end in Debian's Chromium (Playwright). Installs missing system
// packages when run as root. `--unit` runs only the node:test suites (and the build they need):
// `npm run test:unit`; `--abuse` runs only the abuse suite (tests/abuse: a hostile signed-in user's
// attempts, each expected to end in a documented code): `npm run test:abuse`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, buildIsStale } = require('./build-state');
const { ensureSystemPackages } = require('./system-packages');

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
const results = [];

function step(name, cmd, args, opts = {}) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', opts.capture ? 'pipe' : 'inherit', 'inherit'], env: { ...process.env, ...opts.env } });
  const out = opts.capture ? r.stdout.toString() : '';
  if (opts.capture) process.stdout.write(out);
  const ok = r.status === 0;
  results.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000), out });
  return ok;
}

function testFiles(dir, pattern) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (pattern.test(e.name)) found.push(path.relative(ROOT, p));
    }
  };
  if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return found.sort();
}

// Counts from the node:test TAP-ish summary ("ℹ pass N") and Playwright's ("N passed").
function counts(text) {
  const n = (re) => Number((re.exec(text) || [])[1] || 0);
  return {
    passed: n(/ℹ pass (\d+)/) + n(/^\s*(\d+) passed/m),
    failed: n(/ℹ fail (\d+)/) + n(/^\s*(\d+) failed/m),
  };
}

const unitOnly = process.argv.includes('--unit');
const abuseOnly = process.argv.includes('--abuse');
const missing = ensureSystemPackages(['chromium', 'tigervnc-standalone-server', 'xterm', 'xclip', 'bubblewrap', 'websockify', 'nginx', 'haproxy', 'redis-server', 'postgresql-15']);

if (!unitOnly && !abuseOnly) {
  // `npm ci && npm start` is the README's promise: the lock must stay installable on a clean machine.
  step('package-lock.json installs with npm ci', 'npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund']);
  step('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);
}

// The process-level tests and e2e run the production server, so the build comes before them.
const stale = buildIsStale();
if (stale) step(`production build (${stale})`, process.execPath, [require.resolve('next/dist/bin/next'), 'build']);

// A test (or a describe block, which counts as one) that hangs fails after 10 minutes, with its name,
// instead of holding the run until CI's limit.
const TEST_TIMEOUT = '--test-timeout=600000';
const unit = [...testFiles('lib', /\.test\.ts$/), ...testFiles('tests', /\.test\.ts$/)].filter((f) => !f.startsWith(`tests${path.sep}abuse${path.sep}`));
if (!abuseOnly) {
  step('unit and integration tests', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', TEST_TIMEOUT, ...unit], {
    capture: true,
  });
}

// The integration suites again on the scale-out engines (issue 13: "the whole existing integration suite
// passes against Postgres + Redis as well as embedded"): each test file starts one real Postgres and each
// gateway gets a fresh database and a redis-server of its own (tests/helpers/test-database.ts).
if (!abuseOnly) {
  // Suites that start their own Postgres and Redis (the scale-out suites) ran on them in the first pass.
  const ownEngines = /^(postgres-.*|cluster|gateway-kill|rolling-restart|redis-gateways|build-queue|build-queue-outage)\.test\.ts$/;
  const integration = unit.filter((f) => f.startsWith(`tests${path.sep}`) && !ownEngines.test(path.basename(f)));
  const lacking = ['postgresql-15', 'redis-server'].filter((p) => missing.includes(p));
  if (lacking.length) {
    console.log(`\n=== integration tests on Postgres + Redis ===\nCannot run: ${lacking.join(', ')} missing. Run as root: apt-get install -y ${lacking.join(' ')}`);
    results.push({ name: 'integration tests on Postgres + Redis', ok: false, seconds: 0, out: '' });
  } else {
    step('integration tests on Postgres + Redis', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', TEST_TIMEOUT, ...integration], {
      capture: true,
      env: { PORTICO_TEST_ENGINES: 'postgres+redis' },
    });
  }
}

// The abuse suite runs alone, one file at a time: some of its tests measure the gateway's memory and a
// normal client's latency while they attack it, which other suites running beside them would disturb.
const abuse = testFiles(path.join('tests', 'abuse'), /\.test\.ts$/);
if (!unitOnly && abuse.length) {
  step('abuse suite', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...abuse], { capture: true });
}


if (!unitOnly && !abuseOnly && missing.length) {
  console.log(`\n=== end-to-end tests ===\nCannot run: ${missing.join(', ')} missing. Run as root: apt-get update && apt-get install -y ${missing.join(' ')}`);
  results.push({ name: 'end-to-end tests', ok: false, seconds: 0, out: '' });
} else if (!unitOnly && !abuseOnly) {
  step('end-to-end tests', bin('playwright'), ['test'], { capture: true });
}

console.log('\n=== summary ===');
let passed = 0;
let failed = 0;
for (const r of results) {
  const c = counts(r.out);
  passed += c.passed;
  failed += c.failed;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds}s)${r.out ? `: ${c.passed} passed, ${c.failed} failed` : ''}`);
}
const allOk = results.every((r) => r.ok);
if (!allOk && failed === 0) failed = results.filter((r) => !r.ok).length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(allOk ? 0 : 1);

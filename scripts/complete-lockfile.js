#!/usr/bin/env node
// The registry this project installs from serves only the Linux builds of some packages' platform
// binaries (@next/swc-*, @tailwindcss/oxide-*). `npm install` then leaves the other platforms out of
// package-lock.json, and `npm ci` refuses that lock ("Missing: … from lock file"). This adds each missing
// optional package as an entry for its own os/cpu, which npm skips on every other machine without
// fetching it. Run it after `npm install` changes the lock; `npm test` checks that `npm ci` accepts it.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LOCK = path.join(ROOT, 'package-lock.json');
const OSES = ['darwin', 'win32', 'freebsd', 'android', 'linux', 'openbsd', 'sunos', 'aix'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'wasm32', 'ppc64', 's390x', 'riscv64', 'loong64'];

function missingFromLock() {
  const r = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const found = new Set();
  for (const m of (r.stderr || '').matchAll(/Missing: (\S+?)@\S* from lock file/g)) found.add(m[1]);
  return { ok: r.status === 0, missing: [...found].sort(), stderr: r.stderr };
}

function platformOf(name) {
  const base = name.split('/').pop();
  const os = OSES.find((o) => base.includes(o));
  const cpu = CPUS.find((c) => new RegExp(`(^|-)${c}($|-)`).test(base));
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
}

function main() {
  const before = missingFromLock();
  if (before.ok) return console.log('package-lock.json: npm ci accepts it as it is.');
  if (before.missing.length === 0) {
    process.stderr.write(before.stderr);
    process.exit(1);
  }
  const lock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
  const wanted = {};
  for (const meta of Object.values(lock.packages)) for (const [dep, spec] of Object.entries(meta.optionalDependencies || {})) wanted[dep] ??= spec;
  for (const name of before.missing) {
    if (!wanted[name]) throw new Error(`${name} is missing from the lock but nothing lists it as optional: this needs a real npm install.`);
    lock.packages[`node_modules/${name}`] = { version: wanted[name].replace(/^[\^~=]/, ''), optional: true, ...platformOf(name) };
    console.log(`added ${name} (${JSON.stringify(platformOf(name))})`);
  }
  fs.writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  const after = missingFromLock();
  if (!after.ok) {
    process.stderr.write(after.stderr);
    process.exit(1);
  }
  console.log('package-lock.json: npm ci accepts it now.');
}

main();

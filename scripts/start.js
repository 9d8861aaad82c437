#!/usr/bin/env node
// `npm start`: the production dashboard on one machine with embedded defaults. Builds first when the
// build is missing or stale, so `npm ci && npm start` works on a fresh clone.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, buildIsStale } = require('./build-state');
const runtime = require('./gateway-runtime');

const stale = buildIsStale();
if (stale) {
  console.log(`Building the dashboard (${stale})…`);
  const r = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const env = runtime.withRuntimeEnv({ ...process.env, NODE_ENV: 'production' });
// server.ts refuses to run in production without a real JWT_SECRET. On a single machine started with
// `npm start` we make one once and keep it beside the data, so sign-ins survive restarts; deployments
// set JWT_SECRET themselves.
if (!env.JWT_SECRET) {
  const dataDir = path.resolve(ROOT, env.DATA_DIR || './data');
  const file = path.join(dataDir, 'jwt-secret');
  let secret = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (secret.length < 32) {
    secret = crypto.randomBytes(48).toString('base64url');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
    console.log(`JWT_SECRET is not set: generated one in ${path.relative(ROOT, file)} (set JWT_SECRET for a real deployment).`);
  }
  env.JWT_SECRET = secret;
}

const child = spawn(process.execPath, [...runtime.nodeFlags, '--import', 'tsx', path.join(ROOT, 'server.ts'), ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));

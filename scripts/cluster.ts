import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCluster } from '../lib/cluster/run-cluster';

// `npm run cluster`: Portico's scale-out shape on one machine — Postgres, Redis, two gateways, a build
// worker and a vmhost behind HAProxy (deploy/haproxy.cfg) — for trying it, and for the failure tests.
// As root the Debian packages it needs are installed; otherwise it names them.
//
// CLUSTER_DIR (default ./data/cluster) keeps the state; HOST, PORT and PREVIEW_PORT are HAProxy's (the
// dashboard's and the previews'), 127.0.0.1:3000 and :3001 as for `npm start`; CLUSTER_GATEWAYS (2).

const ROOT = path.resolve(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureSystemPackages } = require('./system-packages');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildIsStale } = require('./build-state');

const WORKER_SETTINGS = /^(LLM_|OFFLINE_STREAM_DELAY_MS$|BUILD_OUTPUTS_KEPT$|BUILD_JOB_)/;

async function main() {
  const missing: string[] = ensureSystemPackages(['redis-server', 'postgresql-15', 'haproxy']);
  if (missing.length) {
    process.stderr.write(`npm run cluster needs ${missing.join(', ')}: as root, apt-get install -y ${missing.join(' ')}\n`);
    process.exit(1);
  }
  const stale = buildIsStale();
  if (stale) {
    console.log(`Building the dashboard once for every gateway (${stale})…`);
    const r = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const env = process.env;
  const int = (name: string, fallback: number) => {
    const v = env[name] ? Number(env[name]) : fallback;
    if (!Number.isInteger(v) || v < 0 || v > 65535) {
      process.stderr.write(`${name} must be a port number (or a count), not ${JSON.stringify(env[name])}\n`);
      process.exit(78);
    }
    return v;
  };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = await runCluster({
    dir: path.resolve(ROOT, env.CLUSTER_DIR || 'data/cluster'),
    host: env.HOST || '127.0.0.1',
    port: int('PORT', 3000),
    previewPort: int('PREVIEW_PORT', 3001),
    gateways: Math.max(1, int('CLUSTER_GATEWAYS', 2)),
    llmEnv: Object.fromEntries(Object.entries(env).filter(([k, v]) => WORKER_SETTINGS.test(k) && v !== undefined)) as Record<string, string>,
    say,
  });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say('Stopping the cluster…');
      void cluster.stop().then(() => {
        say('Cluster stopped.');
        process.exit(0);
      });
    });
  }
  if (cluster.adminPassword) say(`\nFirst start: sign in as "admin" with password ${cluster.adminPassword} (kept in ${path.relative(ROOT, path.resolve(ROOT, env.CLUSTER_DIR || 'data/cluster'))}/secrets.json).\n`);
  say(`Portico cluster ready on ${cluster.url} (${cluster.gateways.length} gateways, a build worker, a vmhost, Redis and Postgres, behind HAProxy)`);
}

main().catch((err) => {
  process.stderr.write(`npm run cluster: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { freePort } from '../lib/net/ports';
import { runCluster } from '../lib/cluster/run-cluster';

// `npm run cluster` for a spec: Postgres, Redis, two gateways, a build worker, a vmhost and HAProxy with
// deploy/haproxy.cfg, in a temp CLUSTER_DIR, once per Playwright worker (it takes a while to start).
// Builds use the built-in templates, streamed slowly enough that a test can kill a gateway mid-build.

export type E2eCluster = {
  url: string;
  admin: { username: string; password: string };
  gateways: { name: string; port: number; url: string }[];
  /** The gateway's own process (server.ts --gateway). */
  serverPid(name: string): number;
  output(): string;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildIsStale } = require('../scripts/build-state') as { buildIsStale(): string | null };

export const test = base.extend<{}, { cluster: E2eCluster }>({
  cluster: [
    async ({}, use) => {
      // The gateways serve the production build as it is (npm run cluster builds once beforehand).
      const stale = buildIsStale();
      if (stale) throw new Error(`The Next production build is stale (${stale}): run \`npx next build\` first (\`npm test\` does).`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-e2e-cluster-'));
      let out = '';
      const cluster = await runCluster({
        dir,
        host: '127.0.0.1',
        port: await freePort(),
        previewPort: await freePort(),
        gateways: 2,
        llmEnv: { LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '40' },
        say: (line) => (out = (out + line + '\n').slice(-100_000)),
      });
      try {
        await use({
          url: cluster.url,
          admin: { username: 'admin', password: cluster.adminPassword! },
          gateways: cluster.gateways.map((g, i) => ({ name: `gateway-${i + 1}`, port: g.port, url: `http://127.0.0.1:${g.port}` })),
          serverPid(name) {
            // runCluster starts server.ts itself, so the pid it holds is the one a SIGKILL must hit.
            const gateway = cluster.children().find((c) => c.name === name);
            if (!gateway) throw new Error(`no process named ${name}`);
            return gateway.pid;
          },
          output: () => out,
        });
      } finally {
        await cluster.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

export { expect } from '@playwright/test';

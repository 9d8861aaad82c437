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
  /** The gateway's own process (npm run gateway's server.ts, not the wrapper that started it). */
  serverPid(name: string): number;
  output(): string;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildIsStale } = require('../scripts/build-state') as { buildIsStale(): string | null };

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export const test = base.extend<{}, { cluster: E2eCluster }>({
  cluster: [
    async ({}, use) => {
      // Each gateway is started by scripts/start.js, which builds first when the build is stale: two of
      // them would build into one .next at once (npm run cluster builds once beforehand; here it must be fresh).
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
            const wrapper = cluster.children().find((c) => c.name === name);
            if (!wrapper) throw new Error(`no process named ${name}`);
            // scripts/start.js runs server.ts as its child and passes signals on; SIGKILL must hit the server.
            const [server] = childrenOf(wrapper.pid);
            if (!server) throw new Error(`${name} (pid ${wrapper.pid}) has no server process`);
            return server;
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

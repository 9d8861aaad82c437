import { shippedConfig, siteFor, startNginx } from '../tests/helpers/nginx';
import { startPortico } from './portico-server';
import { ENV } from './server-env';

// Starts the shared production server (e2e/portico-server.ts) and the same server behind nginx, and hands
// both to the specs and to global-teardown through the environment.

export default async function globalSetup(): Promise<void> {
  const server = await startPortico();

  process.env[ENV.url] = server.url;
  process.env[ENV.adminUsername] = server.admin.username;
  process.env[ENV.adminPassword] = server.admin.password;
  process.env[ENV.pid] = String(server.pid);
  process.env[ENV.dataDir] = server.dataDir;
  process.env[ENV.emitToken] = server.emitToken;
  process.env[ENV.jwtSecret] = server.jwtSecret;

  // The same server again behind nginx with the shipped deploy/nginx.conf, for the journeys that run twice.
  const port = Number(new URL(server.url).port);
  const nginx = await startNginx((listen) => siteFor(shippedConfig(), port, listen));
  process.once('exit', () => {
    try {
      process.kill(nginx.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  process.env[ENV.nginxUrl] = nginx.url;
  process.env[ENV.nginxPid] = String(nginx.pid);
  process.env[ENV.nginxDir] = nginx.dir;
}

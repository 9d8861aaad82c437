import fs from 'node:fs';
import { ENV, stopGroup } from './server-env';

const STOP_TIMEOUT_MS = 15_000;

// Stops the server global-setup started, and removes its DATA_DIR. SIGTERM first: the server closes its
// sockets with 1001 and exits within 10 s (lib/server/shutdown.ts); SIGKILL if it does not.
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env[ENV.pid]);
  if (pid > 0 && stopGroup(pid, 'SIGTERM')) {
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (stopGroup(pid, 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (stopGroup(pid, 0)) {
      process.stderr.write(`The server (process group ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killing it.\n`);
      stopGroup(pid, 'SIGKILL');
    }
  }
  const nginxPid = Number(process.env[ENV.nginxPid]);
  if (nginxPid > 0) {
    try {
      process.kill(nginxPid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  const nginxDir = process.env[ENV.nginxDir];
  if (nginxDir) fs.rmSync(nginxDir, { recursive: true, force: true });
  const dataDir = process.env[ENV.dataDir];
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

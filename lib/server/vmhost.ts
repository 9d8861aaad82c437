import type { Config } from '../config/config';
import { MIN_SECRET_BYTES, ConfigError } from '../config/config';
import { createVmhostTokens } from '../auth/vmhost-tokens';
import { createMemoryBus } from '../hub/bus';
import type { Logger } from '../observability/logger';
import { createSessionService } from '../sessions/session-service';
import { createVmhostServer } from '../sessions/vmhost-server';
import { lockDownDataDir } from '../store/data-dir';
import { openConfiguredStore } from './configured-store';
import { startHeartbeat } from '../cluster/heartbeat';
import { createSessions } from '../store/sessions';
import { createUsers } from '../store/users';
import { startLocalVms } from './local-vms';

// `npm run vmhost` wired: the store (to resume running sessions and mark the ones whose VM died), the local
// VM provider, and the server the gateways call. It holds VMHOST_SECRET and nothing that signs a user's
// sign-in, a socket ticket or a build-backend token.

export async function startVmhost(config: Config, logger: Logger) {
  if (Buffer.byteLength(config.vmhostSecret ?? '') < MIN_SECRET_BYTES) {
    throw new ConfigError(`VMHOST_SECRET is ${config.vmhostSecret ? 'too short' : 'not set'}: the vmhost verifies the gateways' tokens with it (at least ${MIN_SECRET_BYTES} bytes, the same as the gateways').`);
  }
  const store = await openConfiguredStore(config, logger);
  // On a machine of its own the vmhost may be the first to open DATA_DIR, and its desktops run as other uids.
  lockDownDataDir(config.dataDir);
  const sessions = createSessions(store.db);
  // The session service's exit and resume rules, on this process's store. Its bus has no listener here:
  // gateways hear of an exit from their next status poll (vmhost-client.ts), the store has the status.
  let server: ReturnType<typeof createVmhostServer> | null = null;
  const vms = await startLocalVms(config, logger, (id) => {
    server?.recordExit(id);
    void sessionService.vmExited(id);
  });
  const sessionService = createSessionService({ sessions, users: createUsers(store.db), bus: createMemoryBus(), logger, provider: config.vncProvider, localVnc: vms.localVnc, vncTargetAllow: [] });
  await sessionService.resume();
  server = createVmhostServer({ tokens: createVmhostTokens(config.vmhostSecret!), localVnc: vms.localVnc, vncMissing: vms.vncMissing, logger, connectTimeoutMs: config.upstreamConnectTimeoutMs });
  const port = await server.listen(config.vmhostPort, config.vmhostHost);
  const host = config.vmhostHost.includes(':') ? `[${config.vmhostHost}]` : config.vmhostHost;
  const url = `http://${host}:${port}`;
  const heartbeat = await startHeartbeat(config, logger, { roles: ['vmhost'], url: () => url, state: () => 'ok', load: () => ({ vms: vms.localVnc?.count ?? 0 }) });
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    localVnc: vms.localVnc,
    problem: vms.vncMissing ?? vms.vmSandboxProblem,
    /** Viewers get 1001; the VMs stop, their homes stay, and the next start resumes them. */
    close(): Promise<void> {
      closing ??= (async () => {
        await heartbeat.close();
        await server!.close();
        await sessionService.stopAll();
        await store.close();
      })();
      return closing;
    },
  };
}

import type { Config } from '../config/config';
import { createVmhostTokens } from '../auth/vmhost-tokens';
import type { Logger } from '../observability/logger';
import { createVmhostClient, type VmhostClient } from '../sessions/vmhost-client';
import { createLocalVnc, localVncMissing, MAX_LOCAL_VMS, type LocalVnc } from '../sessions/local-vnc';
import { cgroupSentence, probeCgroups } from '../sessions/vm-cgroup';
import { probeSandbox, unsandboxedSentence } from '../sessions/vm-sandbox';

// The local VM provider, wired from config: where it runs (the embedded server, or `npm run vmhost`) it is
// started the same way. Whether a sandbox can start is found by a real trial run, once. A gateway with
// VMHOST_URL starts none and talks to the vmhost instead.

export type LocalVms = { localVnc: LocalVnc | null; vncMissing: string | null; vmSandboxProblem: string | null };

export async function startLocalVms(config: Config, logger: Logger, onExit: (sessionId: string) => void): Promise<LocalVms> {
  const isRoot = process.getuid?.() === 0;
  const sandbox = config.vncProvider === 'local' ? await probeSandbox({ isRoot, trialUid: config.vmUidBase + MAX_LOCAL_VMS }) : null;
  const vmSandboxProblem = sandbox && !sandbox.sandboxed ? unsandboxedSentence(sandbox.reason) : null;
  if (vmSandboxProblem) logger.warn({ event: 'vm_sandbox_unavailable' }, vmSandboxProblem);
  const cgroups = sandbox ? probeCgroups({ isRoot, dataDir: config.dataDir }) : null;
  if (cgroups) {
    const said = cgroupSentence(cgroups);
    logger[said.level]({ event: 'vm_cgroups', kind: cgroups.kind }, said.text);
  }
  const limits = { memoryBytes: config.vmMemoryMaxBytes, pids: config.vmPidsMax, cpus: config.vmCpuMax };
  const localVnc =
    sandbox && cgroups
      ? createLocalVnc({ dataDir: config.dataDir, logger, sandbox, isRoot, uidBase: config.vmUidBase, homeMaxBytes: config.vmHomeMaxBytes, cgroups, limits, onExit })
      : null;
  const vncMissing = localVnc ? localVncMissing() : null;
  if (vncMissing) logger.warn({ event: 'vnc_unavailable' }, `${vncMissing}. The rest of the dashboard works without it.`);
  return { localVnc, vncMissing, vmSandboxProblem };
}

export type GatewayVms = LocalVms & { vmhost: VmhostClient | null };

/** What a gateway runs for VM sessions: the embedded provider, or (VMHOST_URL) a client of the vmhost. */
export async function startGatewayVms(config: Config, logger: Logger, on: { exited(id: string): void; exitedOnVmhost(id: string): void }): Promise<GatewayVms> {
  // VNC_PROVIDER=external: no local VMs at all, here or on a vmhost.
  if (!config.vmhostUrl || config.vncProvider !== 'local') return { ...(await startLocalVms(config, logger, on.exited)), vmhost: null };
  // config refused VMHOST_URL without a VMHOST_SECRET.
  const vmhost = createVmhostClient({ url: new URL(config.vmhostUrl), tokens: createVmhostTokens(config.vmhostSecret!), logger, onExit: on.exitedOnVmhost });
  return { localVnc: null, vncMissing: null, vmSandboxProblem: null, vmhost };
}

import { HttpError } from '../errors/http-errors';
import type { TokenClaims } from '../auth/tokens';
import type { Bus } from '../hub/bus';
import type { Logger } from '../observability/logger';
import { newId } from '../store/ids';
import { toPublicSession, type PublicSession, type Sessions } from '../store/sessions';
import type { Users } from '../store/users';
import type { Session } from '../store/schema';
import { localVncMissing, type LocalVnc } from './local-vnc';
import type { VmhostClient } from './vmhost-client';
import { createVmFiles, homeTargetOf, localHomeFiles, type HomeFiles } from './vm-files';
import { unsandboxedSentence } from './vm-sandbox';
import { vetTarget } from './target-allow';
import { SESSIONS_TOPIC } from '../protocol/topics';
import type { VmProviderInfo } from '../protocol/api';
import type { SessionChange } from '../protocol/hub';

// VM sessions: the records, the local provider's processes, and the `sessions` hub topic kept in step.

export type SessionServiceDeps = {
  sessions: Sessions;
  users: Users;
  bus: Bus;
  logger: Logger;
  provider: 'local' | 'external';
  localVnc: LocalVnc | null;
  /** VMHOST_URL: local VMs run on the vmhost, and this process runs none (localVnc is null). */
  vmhost?: VmhostClient | null;
  vncTargetAllow: readonly string[];
};

/** What the dashboard needs to know before it offers a user the "start a VM" form. */
export type { VmProviderInfo } from '../protocol/api';

export function createSessionService(deps: SessionServiceDeps) {
  const vmFiles = createVmFiles();
  const announce = (s: PublicSession, change: SessionChange['change']) => deps.bus.publish(SESSIONS_TOPIC, { change, session: s } satisfies SessionChange);

  function providerInfo(user: TokenClaims): VmProviderInfo {
    if (deps.vmhost) return vmhostInfo(deps.vmhost, user);
    if (deps.provider !== 'local' || !deps.localVnc) {
      return { available: false, sandboxed: false, canStart: false, sentence: 'This server has no local VM provider (VNC_PROVIDER=external); an admin registers external targets.' };
    }
    const missing = localVncMissing();
    if (missing) return { available: false, sandboxed: false, canStart: false, sentence: `${missing}.` };
    const sandbox = deps.localVnc.sandbox;
    if (sandbox.sandboxed) return { available: true, sandboxed: true, canStart: true, sentence: null };
    return { available: true, sandboxed: false, canStart: user.role === 'admin', sentence: unsandboxedSentence(sandbox.reason) };
  }

  async function createLocal(user: TokenClaims, name: string): Promise<PublicSession> {
    if (deps.vmhost) return createOnVmhost(deps.vmhost, user, name);
    if (deps.provider !== 'local' || !deps.localVnc) {
      throw new HttpError('unavailable', 'This server has no local VM provider (VNC_PROVIDER=external); an admin registers external targets.');
    }
    const info = providerInfo(user);
    if (!info.available) throw new HttpError('unavailable', info.sentence!);
    // Without a sandbox a desktop sees the host: only an admin may start one.
    if (!info.canStart) throw new HttpError('forbidden', info.sentence!);
    const id = newId();
    let vm;
    try {
      vm = await deps.localVnc.start(id, name);
    } catch (err) {
      deps.logger.error({ err }, 'local VM failed to start');
      throw new HttpError('unavailable', `The VM could not start: ${(err as Error).message}`);
    }
    const row = await deps.sessions.createWithId(id, { ownerId: user.userId, name, target: vm.target, kind: 'local', status: 'running' });
    const pub = toPublicSession(row);
    announce(pub, 'created');
    return pub;
  }

  // The vmhost's state is a poll old at most; a create asks afresh, so a vmhost that just came up is used.
  async function createOnVmhost(vmhost: VmhostClient, user: TokenClaims, name: string): Promise<PublicSession> {
    await vmhost.refresh();
    const info = vmhostInfo(vmhost, user);
    if (!info.available) throw new HttpError('unavailable', info.sentence!);
    if (!info.canStart) throw new HttpError('forbidden', info.sentence!);
    const id = newId();
    const vm = await vmhost.start(id, name, user);
    // A VM without a record would run unseen until the vmhost restarts: stop it if the record fails.
    const row = await deps.sessions.createWithId(id, { ownerId: user.userId, name, target: vm.target, kind: 'local', status: 'running' }).catch(async (err) => {
      await vmhost.stop(id, user).catch((e) => deps.logger.error({ err: e, session: id }, 'could not stop a VM whose record failed'));
      throw err;
    });
    const pub = toPublicSession(row);
    announce(pub, 'created');
    return pub;
  }

  async function createExternal(user: TokenClaims, body: { name: string; target: string; ownerId?: string }): Promise<PublicSession> {
    if (user.role !== 'admin') throw new HttpError('forbidden', 'Only an admin can register an external target.');
    const check = await vetTarget(body.target, deps.vncTargetAllow);
    if (!check.ok) throw new HttpError('bad_request', check.message);
    const ownerId = body.ownerId ?? user.userId;
    if (!(await deps.users.byId(ownerId))) throw new HttpError('bad_request', 'ownerId is not a known user.');
    const row = await deps.sessions.create({ ownerId, name: body.name, target: check.url.href, kind: 'external', status: 'running' });
    const pub = toPublicSession(row);
    announce(pub, 'created');
    return pub;
  }

  return {
    providerInfo,
    create(user: TokenClaims, body: { name: string; target?: string; ownerId?: string }) {
      return body.target === undefined ? createLocal(user, body.name) : createExternal(user, { ...body, target: body.target });
    },
    /** Deletes a session the caller has already been checked to own; a local VM goes with its files. */
    async remove(user: TokenClaims, session: Session): Promise<void> {
      // On a vmhost that does not answer the VM may still run: the record stays until it can be stopped.
      if (session.kind === 'local' && deps.vmhost) await deps.vmhost.stop(session.id, user);
      else if (session.kind === 'local') await deps.localVnc?.stop(session.id, { removeHome: true });
      await deps.sessions.remove(session.id);
      announce(toPublicSession(session), 'deleted');
    },
    /** A local VM died on its own: the record says so (and when) and watchers hear it. */
    async vmExited(id: string): Promise<void> {
      const row = await deps.sessions.setDesktopEnded(id, Date.now(), 'stopped');
      if (row) announce(toPublicSession(row), 'updated');
    },
    /** A stopped or failed local session gets a new desktop on its old home: the viewer says it is new. */
    async startAgain(user: TokenClaims, session: Session): Promise<PublicSession> {
      if (session.kind !== 'local') throw new HttpError('conflict', 'Only a local VM can be started again; this session is an external VNC target.');
      if (session.status === 'running' || session.status === 'starting') throw new HttpError('conflict', 'This VM is already running.');
      let target: string;
      if (deps.vmhost) {
        await deps.vmhost.refresh();
        target = (await deps.vmhost.start(session.id, session.name, user)).target;
      } else {
        const info = providerInfo(user);
        if (!deps.localVnc || !info.available) throw new HttpError('unavailable', info.sentence ?? 'This server has no local VM provider.');
        if (!info.canStart) throw new HttpError('forbidden', info.sentence!);
        try {
          target = (await deps.localVnc.start(session.id, session.name)).target;
        } catch (err) {
          deps.logger.error({ err, session: session.id }, 'local VM failed to start again');
          throw new HttpError('unavailable', `The VM could not start: ${(err as Error).message}`);
        }
      }
      const row = await deps.sessions.setTarget(session.id, target);
      if (!row) throw new HttpError('not_found');
      const pub = toPublicSession(row);
      announce(pub, 'updated');
      return pub;
    },
    /** The session's home for the Files dialog: its running VM's, here or on the vmhost; or why not. */
    homeFiles(session: Session, user: TokenClaims): HomeFiles {
      if (session.kind !== 'local') throw new HttpError('not_implemented', 'This session is an external VNC target: it has no home on this server to move files into.');
      if (deps.vmhost) return deps.vmhost.homeFiles(session.id, user);
      return localHomeFiles(vmFiles, homeTargetOf(deps.localVnc?.get(session.id)));
    },
    /** A VM on the vmhost exited: it has marked the record; watchers here hear it. */
    async vmExitedElsewhere(id: string): Promise<void> {
      const row = await deps.sessions.byId(id);
      if (row) announce(toPublicSession(row), 'updated');
    },
    /** Start-up: kill what a crashed predecessor left, then give running local sessions a fresh VM. */
    async resume(): Promise<void> {
      if (!deps.localVnc) return;
      const killed = deps.localVnc.sweepOrphans();
      if (killed) deps.logger.warn({ event: 'vm_orphans_killed', count: killed }, 'killed VM processes left by a previous run');
      const local = (await deps.sessions.all()).filter((s) => s.kind === 'local' && s.status === 'running');
      if (local.length && localVncMissing()) {
        for (const s of local) await deps.sessions.setStatus(s.id, 'failed');
        return;
      }
      for (const s of local) {
        // A server that died without stopping its VMs recorded no end: the desktop ended by now at latest.
        if (!s.desktop_ended_at || (s.desktop_started_at && s.desktop_ended_at < s.desktop_started_at)) await deps.sessions.setDesktopEnded(s.id, Date.now());
        try {
          const vm = await deps.localVnc.start(s.id, s.name);
          await deps.sessions.setTarget(s.id, vm.target);
        } catch (err) {
          deps.logger.error({ err, session: s.id }, 'could not restart a local VM');
          await deps.sessions.setStatus(s.id, 'failed');
        }
      }
    },
    async stopAll(): Promise<void> {
      deps.vmhost?.close();
      // The desktops end here (their homes stay for the next start): recorded, for the viewer's notice then.
      const ended = Date.now();
      for (const id of deps.localVnc?.ids() ?? []) {
        await deps.sessions.setDesktopEnded(id, ended).catch((err) => deps.logger.warn({ err, session: id }, 'could not record when a desktop ended'));
      }
      await deps.localVnc?.stopAll();
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;

function vmhostInfo(vmhost: VmhostClient, user: TokenClaims): VmProviderInfo {
  const state = vmhost.state;
  if (!state) return { available: false, sandboxed: false, canStart: false, sentence: vmhost.problem };
  if (!state.available) return { available: false, sandboxed: false, canStart: false, sentence: state.sentence };
  return { available: true, sandboxed: state.sandboxed, canStart: state.sandboxed || user.role === 'admin', sentence: state.sentence };
}

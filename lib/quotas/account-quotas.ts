import type { Config } from '../config/config';
import { HttpError } from '../errors/http-errors';
import type { Builds } from '../store/builds';
import type { Projects } from '../store/projects';
import type { Sessions } from '../store/sessions';
import { formatBytes } from '../protocol/format-units';
import { createKeyedQueue } from './keyed-queue';
import type { Session } from '../store/schema';
import { recentBuilds } from './build-rate';
import type { StorageMeter } from './storage-meter';
import type { Usage, UsageLine } from '../protocol/api';
import { refusal } from '../errors/reasons';

// Per-user limits on what one account may hold: projects, VM sessions, storage, builds per hour. Each
// refusal is a sentence that says where the user stands ("3 of 3 projects"), and GET /api/usage shows
// the same figures before anything is refused.

export type { Usage, UsageLine } from '../protocol/api';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** A stopped or failed session holds no VM, so only these count against the limit. */
const countedSessions = (rows: Session[]) => rows.filter((s) => s.status === 'starting' || s.status === 'running').length;

export function createAccountQuotas(deps: {
  config: Pick<Config, 'maxProjectsPerUser' | 'maxSessionsPerUser' | 'maxBuildsPerHour'>;
  projects: Projects;
  sessions: Sessions;
  builds: Builds;
  storage: StorageMeter;
}) {
  const queue = createKeyedQueue();
  const { maxProjectsPerUser, maxSessionsPerUser, maxBuildsPerHour } = deps.config;

  return {
    storage: deps.storage,
    /** Runs `create` unless the owner already has the most projects allowed; one at a time per owner. */
    createProject<T>(ownerId: string, create: () => Promise<T>): Promise<T> {
      return queue(`projects:${ownerId}`, async () => {
        const n = (await deps.projects.listFor(ownerId)).length;
        if (n >= maxProjectsPerUser) {
          throw new HttpError('quota_exceeded', refusal('project_quota', { count: n, limit: maxProjectsPerUser }).message);
        }
        return create();
      });
    },
    /** The same for VM sessions that are starting or running (a stopped one holds no VM). */
    createSession<T>(ownerId: string, create: () => Promise<T>): Promise<T> {
      return queue(`sessions:${ownerId}`, async () => {
        const n = countedSessions(await deps.sessions.listFor(ownerId));
        if (n >= maxSessionsPerUser) {
          throw new HttpError('quota_exceeded', refusal('session_quota', { count: n, limit: maxSessionsPerUser }).message);
        }
        // Stopped sessions keep their homes: without this, stopping and starting VMs would add homes forever.
        const stored = await deps.storage.usage(ownerId);
        if (stored >= deps.storage.limitBytes) {
          throw new HttpError('quota_exceeded', refusal('storage_quota_for_vm', { stored: formatBytes(stored), limit: formatBytes(deps.storage.limitBytes) }).message);
        }
        return create();
      });
    },
    async usage(userId: string): Promise<Usage> {
      const [projects, sessions, storageBytes, builds] = await Promise.all([
        deps.projects.listFor(userId).then((r) => r.length),
        deps.sessions.listFor(userId).then(countedSessions),
        deps.storage.usage(userId),
        recentBuilds(deps.builds, userId, Date.now()).then((r) => r.count),
      ]);
      const limitBytes = deps.storage.limitBytes;
      return {
        projects: { used: projects, limit: maxProjectsPerUser, text: `${projects} of ${plural(maxProjectsPerUser, 'project')}` },
        sessions: { used: sessions, limit: maxSessionsPerUser, text: `${sessions} of ${plural(maxSessionsPerUser, 'VM session')}` },
        storageBytes: { used: storageBytes, limit: limitBytes, text: `${formatBytes(storageBytes)} of ${formatBytes(limitBytes)} stored` },
        buildsLastHour: { used: builds, limit: maxBuildsPerHour, text: `${builds} of ${plural(maxBuildsPerHour, 'build')} in the last hour` },
      };
    },
  };
}

export type AccountQuotas = ReturnType<typeof createAccountQuotas>;

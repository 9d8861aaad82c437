import type { Bus } from '../hub/bus';
import type { Logger } from '../observability/logger';
import { createSessionSharing, type SessionSharing } from '../sessions/session-shares';
import type { Db } from '../store/db';
import { createSessionShareStore } from '../store/session-shares';
import type { Sessions } from '../store/sessions';
import type { Users } from '../store/users';

// Share links of VM sessions, wired from the gateway's store and bus: the socket route authorises with
// it, the API makes and revokes links through it, shutdown stops its sweep.
// Who is watching is counted per gateway: complete with one, this gateway's share with several (REDIS_URL).
export function startSessionSharing(deps: { db: Db; users: Users; sessions: Sessions; bus: Bus; logger: Logger; manyGateways: boolean }): SessionSharing {
  return createSessionSharing({
    store: createSessionShareStore(deps.db),
    users: deps.users,
    sessions: deps.sessions,
    bus: deps.bus,
    logger: deps.logger,
    watchingScope: deps.manyGateways ? 'gateway' : 'all',
  });
}

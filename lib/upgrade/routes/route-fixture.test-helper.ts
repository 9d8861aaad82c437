import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { createBackendTokens } from '../../auth/backend-tokens';
import type { TokenClaims } from '../../auth/tokens';
import { createMemoryBus } from '../../hub/bus';
import { createEventHub } from '../../hub/event-hub';
import { openStore } from '../../store/db';
import { createProjects } from '../../store/projects';
import { createSessions } from '../../store/sessions';
import { createUsers } from '../../store/users';
import type { RouteDeps } from './route';

// A real store in a temp dir with two users, for the route records' unit tests.
export async function routeFixture() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-routes-'));
  const store = await openStore(dataDir);
  after(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const users = createUsers(store.db);
  const claims = async (username: string, role: 'user' | 'admin'): Promise<TokenClaims> => {
    const u = (await users.create({ username, passwordHash: 'x', role }))!;
    return { userId: u.id, username, role };
  };
  const deps: RouteDeps = {
    projects: createProjects(store.db),
    sessions: createSessions(store.db),
    hub: createEventHub({ bus: createMemoryBus(), authoriseTopic: async () => ({ ok: true }), heartbeatMs: 30_000 }),
    buildBackend: new URL('ws://127.0.0.1:4100/'),
    backendTokens: createBackendTokens('x'.repeat(32)),
    vncTargetAllow: [],
  };
  return { deps, alice: await claims('alice', 'user'), bob: await claims('bob', 'user'), admin: await claims('root', 'admin') };
}

export const q = (s = '') => new URLSearchParams(s);

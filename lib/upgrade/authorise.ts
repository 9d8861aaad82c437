import { CLOSE } from '../errors/close-codes';
import type { TokenClaims } from '../auth/tokens';
import { owns } from '../auth/ownership';
import type { Projects } from '../store/projects';
import type { Sessions } from '../store/sessions';
import type { MatchedRoute } from './route-table';

// Step 4: the user must own the project / session the socket is for (admins may reach all). The
// resolved resource carries what step 6 needs, so the target always comes from the store, never from
// the request.

export type Resource =
  | { kind: 'project'; id: string }
  | { kind: 'session'; id: string; target: string; /** Registered by an admin: vetted against VNC_TARGET_ALLOW at every connect. */ external: boolean }
  | { kind: 'hub' };

export type Authorised = { ok: true; resource: Resource } | { ok: false; code: number; reason: string };

export type AuthoriseDeps = { projects: Projects; sessions: Sessions };

export async function authorise(match: MatchedRoute, user: TokenClaims, deps: AuthoriseDeps): Promise<Authorised> {
  switch (match.route) {
    case 'build': {
      const project = await deps.projects.byId(match.projectId);
      if (!project) return { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such project' };
      if (!owns(user, project.owner_id)) return { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your project' };
      return { ok: true, resource: { kind: 'project', id: project.id } };
    }
    case 'vnc': {
      const session = await deps.sessions.byId(match.sessionId);
      if (!session) return { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such session' };
      if (!owns(user, session.owner_id)) return { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your session' };
      return { ok: true, resource: { kind: 'session', id: session.id, target: session.target, external: session.kind === 'external' } };
    }
    case 'events':
      // Each topic is authorised when it is subscribed to; the socket itself only needs a user.
      return { ok: true, resource: { kind: 'hub' } };
  }
}

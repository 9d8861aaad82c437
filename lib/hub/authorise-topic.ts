import { CLOSE } from '../errors/close-codes';
import type { Projects } from '../store/projects';
import { owns } from '../auth/ownership';
import type { AuthoriseTopic, EventVisibility } from './event-hub';

/** A subscribe is authorised like an upgrade: 4404 for an unknown project, 4403 for someone else's. */
export function topicAuthoriser(projects: Projects): AuthoriseTopic {
  return async (user, topic) => {
    switch (topic.kind) {
      case 'project-files':
      case 'project-builds': {
        const project = await projects.byId(topic.projectId);
        if (!project) return { ok: false, code: CLOSE.NOT_FOUND, message: 'Not found.' };
        if (!owns(user, project.owner_id)) return { ok: false, code: CLOSE.FORBIDDEN, message: "You don't have access to this project." };
        return { ok: true };
      }
      case 'sessions':
        return { ok: true };
      case 'system':
        return user.role === 'admin' ? { ok: true } : { ok: false, code: CLOSE.FORBIDDEN, message: 'Only an admin can watch system stats.' };
    }
  };
}

/** Everyone may watch `sessions`, but each user sees only events about their own (admins see all). */
export const sessionEventsForOwner: EventVisibility = (user, topic, data) => {
  if (topic !== 'sessions' || user.role === 'admin') return true;
  return (data as { session?: { ownerId?: unknown } } | null)?.session?.ownerId === user.userId;
};

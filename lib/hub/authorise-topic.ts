import { refusal } from '../errors/reasons';
import type { Projects } from '../store/projects';
import { owns } from '../auth/ownership';
import type { AuthoriseTopic, EventVisibility } from './event-hub';
import { SESSIONS_TOPIC } from '../protocol/topics';

/** A subscribe is authorised like an upgrade: 4404 for an unknown project, 4403 for someone else's. */
export function topicAuthoriser(projects: Projects): AuthoriseTopic {
  return async (user, topic) => {
    switch (topic.kind) {
      case 'project-files':
      case 'project-builds': {
        const project = await projects.byId(topic.projectId);
        if (!project) return { ok: false, ...refusal('topic_not_found') };
        if (!owns(user, project.owner_id)) return { ok: false, ...refusal('not_your_project') };
        return { ok: true };
      }
      case 'sessions':
        return { ok: true };
      case 'system':
        return user.role === 'admin' ? { ok: true } : { ok: false, ...refusal('system_admin_only') };
    }
  };
}

/** Everyone may watch `sessions`, but each user sees only events about their own (admins see all). */
export const sessionEventsForOwner: EventVisibility = (user, topic, data) => {
  if (topic !== SESSIONS_TOPIC || user.role === 'admin') return true;
  return (data as { session?: { ownerId?: unknown } } | null)?.session?.ownerId === user.userId;
};

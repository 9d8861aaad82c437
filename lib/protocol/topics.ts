import { isValidId } from './ids';

// The hub's topics (design.md "Event hub protocol"): the one place a topic name is spelled, for the
// publishers (watcher, runner, sessions, system stats), the hub that parses a subscribe, and the browser.

export type Topic =
  | { kind: 'project-files'; projectId: string }
  | { kind: 'project-builds'; projectId: string }
  | { kind: 'sessions' }
  | { kind: 'system' };

export const SESSIONS_TOPIC = 'sessions';
export const SYSTEM_TOPIC = 'system';
export const projectFilesTopic = (projectId: string) => `project:${projectId}:files`;
export const projectBuildsTopic = (projectId: string) => `project:${projectId}:builds`;

export function parseTopic(topic: unknown): Topic | null {
  if (typeof topic !== 'string' || topic.length > 200) return null;
  if (topic === SESSIONS_TOPIC) return { kind: 'sessions' };
  if (topic === SYSTEM_TOPIC) return { kind: 'system' };
  const m = /^project:([^:]+):(files|builds)$/.exec(topic);
  if (!m || !isValidId(m[1])) return null;
  return m[2] === 'files' ? { kind: 'project-files', projectId: m[1] } : { kind: 'project-builds', projectId: m[1] };
}

import { isValidId } from '../store/ids';

// The hub's topics (design.md "Event hub protocol").

export type Topic =
  | { kind: 'project-files'; projectId: string }
  | { kind: 'project-builds'; projectId: string }
  | { kind: 'sessions' }
  | { kind: 'system' };

export function parseTopic(topic: unknown): Topic | null {
  if (typeof topic !== 'string' || topic.length > 200) return null;
  if (topic === 'sessions') return { kind: 'sessions' };
  if (topic === 'system') return { kind: 'system' };
  const m = /^project:([^:]+):(files|builds)$/.exec(topic);
  if (!m || !isValidId(m[1])) return null;
  return m[2] === 'files' ? { kind: 'project-files', projectId: m[1] } : { kind: 'project-builds', projectId: m[1] };
}

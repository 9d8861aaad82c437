import type { BuildStatus } from './build';
import type { PublicSession } from './api';

// The event hub's messages (`/api/events`, design.md "Event hub protocol"): what the browser sends and
// what the hub answers, one declaration for both ends.

export type HubClientMessage = { type: 'subscribe'; topic: string } | { type: 'unsubscribe'; topic: string };

export type HubServerMessage =
  | { type: 'subscribed'; topic: string; seq: number }
  | { type: 'unsubscribed'; topic: string }
  /** seq counts every event of the topic, shared by all subscribers: a jump is a gap. */
  | { type: 'event'; topic: string; seq: number; data: unknown }
  /** A refused message or subscription; the socket stays open. `message` is the sentence to show. */
  /** `reason`: which refusal, a key of lib/errors/reasons.ts. */
  | { type: 'error'; topic?: string; code: number; message?: string; reason?: string };

// What each topic's events carry (the `data` of an `event`), declared once for publisher and subscriber.

/** `project:<id>:files`: one file of the workspace changed. */
export type FileChange = { op: 'created' | 'changed' | 'deleted'; path: string; bytes?: number };

/** `project:<id>:builds`: a build started or ended. */
export type BuildChange = { buildId: string; status: BuildStatus };

/** `sessions`: a VM session appeared, changed or went. */
export type SessionChange = { change: 'created' | 'updated' | 'deleted'; session: PublicSession };

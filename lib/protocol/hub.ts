import type { BuildStatus } from './build';
import type { PublicSession } from './api';

// The event hub's messages (`/api/events`, design.md "Event hub protocol"): what the browser sends and
// what the hub answers, one declaration for both ends.

export type HubClientMessage =
  /** With `epoch` and `afterSeq` (the last event seen), the hub replays what came after it, or says `resync`. */
  | { type: 'subscribe'; topic: string; epoch?: string; afterSeq?: number }
  | { type: 'unsubscribe'; topic: string };

export type HubServerMessage =
  /**
   * Live from (epoch, seq): the events that follow have seq + 1, seq + 2 … When the subscribe named a cursor
   * and this is it, what was missed follows as events; otherwise the client fetches the topic's state.
   */
  | { type: 'subscribed'; topic: string; epoch: string; seq: number }
  | { type: 'unsubscribed'; topic: string }
  /**
   * seq counts every event of the topic, shared by all subscribers and gateways, within its epoch (a name
   * that changes when the topic's numbering restarts): a jump, or another epoch, is a gap.
   */
  | { type: 'event'; topic: string; epoch: string; seq: number; data: unknown }
  /**
   * Events were missed that the hub no longer keeps (the cursor fell out of the history, the numbering
   * restarted): the client fetches the topic's state again. Also the answer to a subscribe whose cursor
   * is too old, in place of `subscribed`. Live from (epoch, seq).
   */
  | { type: 'resync'; topic: string; epoch: string; seq: number }
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

import type { ReasonKey } from '../errors/reasons';

// The event hub's messages (`/api/events`, design.md "Event hub protocol"): what the browser sends and
// what the hub answers, one declaration for both ends.

export type HubClientMessage = { type: 'subscribe'; topic: string } | { type: 'unsubscribe'; topic: string };

export type HubServerMessage =
  | { type: 'subscribed'; topic: string; seq: number }
  | { type: 'unsubscribed'; topic: string }
  /** seq counts every event of the topic, shared by all subscribers: a jump is a gap. */
  | { type: 'event'; topic: string; seq: number; data: unknown }
  /** A refused message or subscription; the socket stays open. `message` is the sentence to show. */
  | { type: 'error'; topic?: string; code: number; message?: string; reason?: ReasonKey };

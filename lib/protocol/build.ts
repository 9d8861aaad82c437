// The build stream protocol (design.md "Build stream protocol"), shared by the backend, the gateway's
// tests and the browser. No Node imports: components import these types.
//
// lib/protocol/ is the ground floor: the store, the backends, the hub and the UI import it, and it imports
// nothing outside lib/protocol. lib/errors is the other floor, beside it: it imports nothing of ours
// either, so a message names a close code or a refusal's reason key as a plain value, never a type from
// lib/errors. lib/protocol/floor.test.ts holds both rules.

export const STAGES = ['plan', 'generate', 'write', 'verify'] as const;
export type Stage = (typeof STAGES)[number];
// A stage stopped by Cancel ends `cancelled`, not `failed` (issue 11).
export type StageState = 'started' | 'done' | 'failed' | 'cancelled';
export type BuildOutcome = 'succeeded' | 'failed' | 'cancelled';
export type BuildStatus = 'running' | BuildOutcome;

export type BuildEventBody =
  | { type: 'stage'; stage: Stage; state: StageState }
  | { type: 'progress'; percent: number; message: string }
  /** `provider`: set on the line that announces which provider builds, so no client parses it from text. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; text: string; provider?: string }
  | { type: 'output'; text: string }
  | { type: 'file'; path: string; bytes: number; op: 'created' | 'updated' }
  /** A file as the model writes it (generate stage): its size so far, then `complete` once its block closes. */
  | { type: 'file-progress'; path: string; bytes: number; state: 'streaming' | 'complete' }
  /**
   * How the model is doing (openai builds): sent at the first token, at most once a second while text
   * streams, and once at the end. `estimated` when the server gave no usage and tokens were counted from text.
   */
  | { type: 'stats'; model: string; firstTokenMs: number | null; tokens: number; tokensPerSecond: number | null; estimated: boolean }
  | { type: 'done'; status: BuildOutcome; summary: string };

/** A stored, numbered build event: seq starts at 1 per build and has no holes. */
export type BuildEvent = BuildEventBody & { v: 1; buildId: string; seq: number; at: number };

export type BuildInfo = {
  id: string;
  projectId: string;
  prompt: string;
  status: BuildStatus;
  provider: string | null;
  summary: string | null;
  files: { path: string; bytes: number }[];
  lastSeq: number;
  createdAt: number;
  finishedAt: number | null;
  durationMs: number | null;
};

/** What a new build would be built with, said before the first build (issue 11, point 5). */
export type ProviderInfo = {
  name: 'openai' | 'offline' | 'auto';
  /** The model, when one is known (openai). */
  model: string | null;
  /** One plain sentence of what this provider can build, e.g. what the offline templates cover. */
  capabilities: string;
};

/** Per-connection messages: not stored, no seq. */
export type HelloMessage = { type: 'hello'; build: BuildInfo | null; provider: string; providerInfo?: ProviderInfo; lastSeq: number };
/** `reason`: which refusal (a key of lib/errors/reasons.ts), for clients that branch on more than the code. */
export type ErrorMessage = { type: 'error'; code: number; message: string; reason?: string };
export type ServerMessage = BuildEvent | HelloMessage | ErrorMessage;

export type ClientMessage = { type: 'start'; prompt: string } | { type: 'cancel' };

export const MAX_PROMPT_CHARS = 4000;

export function isBuildEvent(m: ServerMessage): m is BuildEvent {
  return typeof (m as BuildEvent).seq === 'number';
}

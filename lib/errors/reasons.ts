import { CLOSE, type CloseCode } from './close-codes';
import { statusForCloseCode } from './status-map';

// Every refusal a backend or the hub sends, as a machine reason with its close code and its sentence.
// Backends name the reason (and the figures a sentence needs); the wording lives only here, so a socket
// and an HTTP answer of the same refusal say the same thing, and the UI can show something as specific
// as "3 of 3 builds in the last hour" while the code stays one of the documented close codes.

type Sentence = string | ((p: never) => string);
type Entry = { readonly code: CloseCode; readonly sentence: Sentence };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export const REASONS = {
  // Messages on a socket (build stream, hub).
  not_json: { code: CLOSE.BAD_REQUEST, sentence: 'Messages are JSON objects with a "type".' },
  binary_message: { code: CLOSE.BAD_REQUEST, sentence: 'Messages are JSON text.' },
  unknown_build_message: { code: CLOSE.BAD_REQUEST, sentence: 'Unknown message type: use "start" or "cancel".' },
  unknown_hub_message: { code: CLOSE.BAD_REQUEST, sentence: 'Unknown message type: use "subscribe" or "unsubscribe".' },
  unknown_topic: { code: CLOSE.BAD_REQUEST, sentence: 'Unknown topic.' },
  too_many_topics: { code: CLOSE.TOO_MANY, sentence: 'Too many topics on one socket.' },
  topic_not_found: { code: CLOSE.NOT_FOUND, sentence: 'Not found.' },
  system_admin_only: { code: CLOSE.FORBIDDEN, sentence: 'Only an admin can watch system stats.' },
  internal: { code: CLOSE.INTERNAL_ERROR, sentence: 'Something went wrong on the server.' },
  hub_unavailable: { code: CLOSE.TRY_AGAIN_LATER, sentence: 'Live updates are unavailable for a moment; retrying.' },

  // Starting and cancelling builds (socket and HTTP say the same).
  empty_prompt: { code: CLOSE.BAD_REQUEST, sentence: 'Describe what to build first.' },
  prompt_too_long: { code: CLOSE.BAD_REQUEST, sentence: (p: { max: number }) => `The prompt is longer than ${p.max} characters.` },
  build_running: { code: CLOSE.CONFLICT, sentence: 'A build is already running for this project.' },
  build_not_running: { code: CLOSE.CONFLICT, sentence: 'That build is not running.' },
  no_running_build: { code: CLOSE.NOT_FOUND, sentence: 'No build is running for this project.' },
  no_such_build: { code: CLOSE.NOT_FOUND, sentence: 'No such build in this project.' },
  build_queue_unavailable: { code: CLOSE.TRY_AGAIN_LATER, sentence: 'The build queue is unreachable right now, so builds cannot be started or cancelled; try again in a moment.' },
  build_quota: {
    code: CLOSE.TOO_MANY,
    sentence: (p: { count: number; limit: number; minutes: number }) =>
      `You started ${p.count} of ${p.limit} builds allowed in the last hour; the next one can start in ${plural(p.minutes, 'minute')}.`,
  },

  // An account's own limits (lib/quotas/account-quotas.ts): each says where the user stands.
  project_quota: {
    code: CLOSE.FORBIDDEN,
    sentence: (p: { count: number; limit: number }) => `You have ${p.count} of ${plural(p.limit, 'project')} allowed; delete one to make another.`,
  },
  session_quota: {
    code: CLOSE.FORBIDDEN,
    sentence: (p: { count: number; limit: number }) => `You have ${p.count} of ${plural(p.limit, 'VM session')} allowed; delete one to start another.`,
  },
  storage_quota_for_vm: {
    code: CLOSE.FORBIDDEN,
    /** Sizes come formatted ("3.2 MB"): the units are the protocol's (lib/protocol/format-units.ts). */
    sentence: (p: { stored: string; limit: string }) =>
      `Your files take ${p.stored} of the ${p.limit} your account may store; delete files, projects or VM sessions to start another VM.`,
  },

  // The build backend admitting a request from the gateway.
  bad_address: { code: CLOSE.BAD_REQUEST, sentence: 'That address is not valid.' },
  not_found: { code: CLOSE.NOT_FOUND, sentence: 'Not found.' },
  backend_token_required: {
    code: CLOSE.UNAUTHORIZED,
    sentence: 'A build-backend token for this project is required (Authorization: Bearer); session tokens are not accepted.',
  },
  no_such_project: { code: CLOSE.NOT_FOUND, sentence: 'No such project.' },
  not_your_project: { code: CLOSE.FORBIDDEN, sentence: "You don't have access to this project." },
} as const satisfies Record<string, Entry>;

export type ReasonKey = keyof typeof REASONS;
type SentenceOf<K extends ReasonKey> = (typeof REASONS)[K]['sentence'];
/** The figures a reason's sentence needs: none for a fixed sentence. */
export type ReasonParams<K extends ReasonKey> = SentenceOf<K> extends (p: infer P) => string ? [params: P] : [];

/** A refusal as every transport sends it: the close code, its HTTP status, the reason and its sentence. */
export type Refusal<K extends ReasonKey = ReasonKey> = { code: CloseCode; status: number; reason: K; message: string };

export function refusal<K extends ReasonKey>(reason: K, ...params: ReasonParams<K>): Refusal<K> {
  const entry: Entry = REASONS[reason];
  const message = typeof entry.sentence === 'string' ? entry.sentence : (entry.sentence as (p: unknown) => string)(params[0]);
  return { code: entry.code, status: statusForCloseCode(entry.code) ?? 500, reason, message };
}

export function isReasonKey(key: unknown): key is ReasonKey {
  return typeof key === 'string' && Object.hasOwn(REASONS, key);
}

import { CLOSE, type CloseCode } from './close-codes';

// The one map between HTTP statuses and close codes, read both ways: the gateway closes a socket whose
// upstream refused the upgrade with an HTTP status, and the browser turns a refused ticket or SSE request
// into the close code the upgrade would have used — so a refusal says the same thing whichever way it
// arrived. 4xx codes mirror their status (4404 ↔ 404); the 1xxx codes stand for the server-side statuses.

const PAIRS: readonly (readonly [status: number, code: CloseCode])[] = [
  [400, CLOSE.BAD_REQUEST],
  [401, CLOSE.UNAUTHORIZED],
  [403, CLOSE.FORBIDDEN],
  [404, CLOSE.NOT_FOUND],
  [409, CLOSE.CONFLICT],
  [429, CLOSE.TOO_MANY],
  [500, CLOSE.INTERNAL_ERROR],
  [502, CLOSE.BAD_GATEWAY],
  [503, CLOSE.TRY_AGAIN_LATER],
];

const toClose = new Map<number, CloseCode>(PAIRS);
const toStatus = new Map<number, number>(PAIRS.map(([s, c]) => [c, s]));

/** The close code for an HTTP status; null for a status the table does not name (the caller picks). */
export function closeCodeForStatus(status: number): CloseCode | null {
  return toClose.get(status) ?? null;
}

/** The HTTP status for a close code; null for codes no status stands for (1000, 1001, 1006). */
export function statusForCloseCode(code: number): number | null {
  return toStatus.get(code) ?? null;
}

/** Every pair, for tests and docs. */
export const STATUS_CLOSE_PAIRS = PAIRS;

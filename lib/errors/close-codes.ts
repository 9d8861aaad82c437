// The one table of WebSocket close codes (design.md, "Close codes"). The server closes with these codes and
// the browser turns them back into the same sentences, so this module must stay free of Node-only imports.

export type CloseCodeInfo = {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
  /** What the UI shows; null where nothing needs saying. */
  readonly sentence: string | null;
  /** Whether a client should reconnect (with backoff and jitter) after this code. */
  readonly retry: boolean;
};

export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  ABNORMAL: 1006,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  BAD_REQUEST: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  NOT_FOUND: 4404,
  CONFLICT: 4409,
  TOO_MANY: 4429,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export const CLOSE_CODES: readonly CloseCodeInfo[] = Object.freeze([
  { code: 1000, name: 'NORMAL', meaning: 'normal end', sentence: null, retry: false },
  { code: 1001, name: 'GOING_AWAY', meaning: 'server going away (restart / drain): reconnect', sentence: 'Reconnecting…', retry: true },
  // 1006 is never sent on the wire: browsers report it when a connection dropped without a close frame.
  { code: 1006, name: 'ABNORMAL', meaning: 'connection lost without a close frame (reported by the client, never sent)', sentence: 'Connection lost; reconnecting…', retry: true },
  { code: 1011, name: 'INTERNAL_ERROR', meaning: 'internal error', sentence: 'Something went wrong on the server.', retry: true },
  { code: 1013, name: 'TRY_AGAIN_LATER', meaning: 'server busy or draining: try again later', sentence: 'The server is busy; retrying.', retry: true },
  { code: 1014, name: 'BAD_GATEWAY', meaning: 'upstream unreachable, refused or timed out', sentence: 'The build service / VM is unreachable.', retry: true },
  { code: 4400, name: 'BAD_REQUEST', meaning: 'malformed path, id or query', sentence: 'That address is not valid.', retry: false },
  { code: 4401, name: 'UNAUTHORIZED', meaning: 'token missing, invalid or expired', sentence: 'Your sign-in has expired. Sign in again.', retry: false },
  { code: 4403, name: 'FORBIDDEN', meaning: 'not yours, or Origin not allowed', sentence: "You don't have access to this.", retry: false },
  { code: 4404, name: 'NOT_FOUND', meaning: 'no such project / session / build', sentence: 'Not found.', retry: false },
  { code: 4409, name: 'CONFLICT', meaning: 'conflict (a build is already running for this project)', sentence: 'A build is already running.', retry: false },
  { code: 4429, name: 'TOO_MANY', meaning: 'too many sockets for this user or server', sentence: 'Too many open connections.', retry: false },
].map((c) => Object.freeze(c)));

const byCode = new Map(CLOSE_CODES.map((c) => [c.code, c]));

export function closeInfo(code: number): CloseCodeInfo | undefined {
  return byCode.get(code);
}

/** The sentence for a close code; unknown codes get a sentence that still names the code. */
export function closeSentence(code: number): string | null {
  const info = byCode.get(code);
  if (info) return info.sentence;
  return `The connection closed unexpectedly (code ${code}).`;
}

export function shouldReconnect(code: number): boolean {
  return byCode.get(code)?.retry ?? false;
}

// Cutting a close reason to fit its frame is framing, not meaning: closeReason is in lib/net/ws-frames.ts.

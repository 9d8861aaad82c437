// Tokens must never reach a log line. Structured fields are redacted by path (see logger.ts); this
// catches the rest: a token inside a URL, a header echoed in an error message, a JWT anywhere in text.

const TOKEN_PARAM = /([?&;](?:token|ticket)=)[^&\s"';]*/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const SESSION_COOKIE = /(portico_session=)[^;\s"]*/gi;
// Three base64url segments where the first two start like a JSON object ("eyJ" = '{"').
const JWT = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

export const REDACTED = '[REDACTED]';

// One case-insensitive look for anything the four patterns could match; most lines (a socket's end, a
// request) have none, and four global replaces over each cost more than the rest of writing the line.
const MIGHT_HOLD_SECRET = /token=|ticket=|bearer|portico_session=|eyJ/i;

export function redactText(text: string): string {
  if (!MIGHT_HOLD_SECRET.test(text)) return text;
  return text
    .replace(TOKEN_PARAM, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(SESSION_COOKIE, `$1${REDACTED}`)
    .replace(JWT, REDACTED);
}

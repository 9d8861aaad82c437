// The one table of HTTP API errors. Every JSON error the API sends is `{"error":{"code","message"}}`
// with the status from this table, so clients can branch on `code` and show `message`.

export const HTTP_ERRORS = Object.freeze({
  bad_request: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  unauthorized: { status: 401, message: 'Sign in to do this.' },
  bad_credentials: { status: 401, message: 'That username and password do not match.' },
  token_expired: { status: 401, message: 'Your sign-in has expired. Sign in again.' },
  session_revoked: { status: 401, message: 'You were signed out. Sign in again.' },
  account_disabled: { status: 403, message: 'This account is disabled. Ask an admin to enable it.' },
  forbidden: { status: 403, message: "You don't have access to this." },
  quota_exceeded: { status: 403, message: 'You have reached a limit of your account.' },
  not_found: { status: 404, message: 'Not found.' },
  // What a project or session page says for an id that is unknown, malformed or someone else's: one
  // sentence for all three, so the page never tells whether another user's id exists.
  no_such_project: { status: 404, message: 'No such project, or it is not yours.' },
  no_such_session: { status: 404, message: 'No such VM session, or it is not yours.' },
  method_not_allowed: { status: 405, message: 'That method is not allowed here.' },
  conflict: { status: 409, message: 'That already exists.' },
  request_timeout: { status: 408, message: 'The request took too long to arrive.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  storage_quota_exceeded: { status: 413, message: 'Your projects have used all the storage your account has.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  // A VM's home (VM_HOME_MAX_BYTES) has no room for an upload: the user frees space in the VM.
  insufficient_storage: { status: 507, message: "The VM's home is full; delete files in it and try again." },
  upgrade_required: { status: 426, message: 'This address speaks WebSocket: open it with a WebSocket client.' },
  too_many_requests: { status: 429, message: 'Too many requests; slow down.' },
  headers_too_large: { status: 431, message: 'The request headers are too large.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
  not_implemented: { status: 501, message: 'This server cannot do that.' },
  bad_gateway: { status: 502, message: 'The build service / VM is unreachable.' },
  gateway_timeout: { status: 504, message: 'The upstream did not answer in time.' },
  unavailable: { status: 503, message: 'The server is shutting down; try again shortly.' },
  // Postgres (DATABASE_URL) restarting or unreachable: the request can be retried once it is back.
  store_unavailable: { status: 503, message: 'The database is unreachable for a moment; try again shortly.' },
} as const);

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

// The generic code of each status, for a refusal (lib/errors/reasons.ts) answered over HTTP.
const GENERIC: Record<number, HttpErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'too_many_requests',
  500: 'internal',
  502: 'bad_gateway',
  503: 'unavailable',
};

export function errorCodeForStatus(status: number): HttpErrorCode {
  return GENERIC[status] ?? 'internal';
}

export class HttpError extends Error {
  readonly status: number;
  constructor(readonly code: HttpErrorCode, message?: string) {
    super(message ?? HTTP_ERRORS[code].message);
    this.status = HTTP_ERRORS[code].status;
  }
}

export function errorBody(code: HttpErrorCode, message?: string) {
  return { error: { code, message: message ?? HTTP_ERRORS[code].message } };
}

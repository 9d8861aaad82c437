import { HTTP_ERRORS } from '../errors/http-errors';

// The browser's side of the JSON API (design.md, "HTTP API"): same origin, the session cookie, and
// every failure turned into an ApiError whose message is the server's sentence.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const OFFLINE_SENTENCE = 'Cannot reach the server. Check your connection and try again.';

type RequestOptions = { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; signal?: AbortSignal };

export async function apiRequest<T>(path: string, { method = 'GET', body, signal }: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network', OFFLINE_SENTENCE);
  }
  if (res.status === 204) return undefined as T;
  // A body cut off because the caller aborted is that abort, not an answer of `null` (a component
  // whose effect re-ran would otherwise render null as its data).
  const payload: unknown = await res.json().catch((err: unknown) => {
    if (signal?.aborted) throw err;
    return null;
  });
  if (!res.ok) throw errorFrom(res.status, payload);
  return payload as T;
}

function errorFrom(status: number, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code === 'string' && typeof error.message === 'string') return new ApiError(status, error.code, error.message);
  // Not our JSON (a proxy in front of us answered, or the server crashed mid-answer): the table's
  // sentence for that status still says what happened.
  const known = Object.entries(HTTP_ERRORS).find(([, e]) => e.status === status);
  return known ? new ApiError(status, known[0], known[1].message) : new ApiError(status, 'internal', HTTP_ERRORS.internal.message);
}

// The JSON API as a test calls it: a method, a path, an optional Bearer token and body; the status, the
// headers and the parsed body back (the raw text where an answer is not JSON, e.g. a page).

export type ApiOptions = { token?: string; body?: unknown; headers?: Record<string, string> };
export type ApiAnswer = { status: number; headers: Headers; body: any };

export function jsonApi(baseUrl: string) {
  return async function api(method: string, pathname: string, opts: ApiOptions = {}): Promise<ApiAnswer> {
    const res = await fetch(baseUrl + pathname, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body };
  };
}

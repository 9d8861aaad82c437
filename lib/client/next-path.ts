// Where to go after signing in. `next` comes from the address bar, so anyone can put anything in it:
// only a path on this origin is followed, never another site, or the form would be an open redirect.

const LOGIN_PATH = '/login';

export function safeNextPath(raw: string | null | undefined, origin: string): string {
  // `//host` and `/\host` are protocol-relative to browsers (they read `\` as `/`).
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin || url.pathname === LOGIN_PATH) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page, set to come back to `path` afterwards. */
export function loginHref(path: string): string {
  return `${LOGIN_PATH}?next=${encodeURIComponent(path || '/')}`;
}

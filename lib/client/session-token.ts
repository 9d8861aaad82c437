// The sign-in token as the browser keeps it for sockets: a socket URL carries it as `?token=`
// (design.md, "An upgrade, step by step"). HTTP calls do not need it; they ride on the httpOnly
// `portico_session` cookie. sessionStorage keeps it to this tab and forgets it when the tab closes.

export const TOKEN_KEY = 'portico_token';

// sessionStorage throws in some locked-down browsers (storage disabled); signing in must still work
// there, only sockets fall back to the cookie.
export function saveToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {}
}

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {}
}

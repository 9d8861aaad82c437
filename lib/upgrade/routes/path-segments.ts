// Route records match on path segments. A segment that does not decode is a malformed id (4400), never
// a different path: NUL cannot pass any id pattern.

export function segments(pathname: string): string[] {
  return pathname.split('/').slice(1);
}

export function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}

// The URL of a request as the client sent it. `new URL(req.url, base)` reads a target that starts with
// `//` as a host (`//evil/api/events` would become the path `/api/events` on host `evil`) and throws on
// one it cannot parse, so the request target is always taken as a path on a fixed origin, and a target
// that is not even that is null (the caller answers 400).

const ORIGIN = 'http://request.invalid';

export function requestUrl(target: string | undefined): URL | null {
  if (!target || target[0] !== '/') return null;
  try {
    const url = new URL(ORIGIN + target);
    return url.origin === ORIGIN ? url : null;
  } catch {
    return null;
  }
}

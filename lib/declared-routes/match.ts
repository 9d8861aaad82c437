import { isValidId } from '../store/ids';
import type { RouteSpec } from './spec';

// Which declared route a request is for, decided on the raw request target, before anything decodes or
// normalises it. A route owns the paths that start with its prefix byte for byte; what follows the prefix
// may not smuggle a separator or a dot segment past it (`%2F`, `%5C`, `\`, `.`, `..`, `%2e%2e`), because an
// upstream that decodes them could be walked out of the prefix the operator meant to expose. Such a path
// is ours but refused (400 / 4400), never passed on; a path that only looks similar (`/socket.io..`,
// `//socket.io/`, `/socket.io%2f..`) is not ours at all.

export type DeclaredParams = {
  /** The raw path after the prefix (no leading "/"). */
  rest: string;
  /** The project an `owner` route is for. */
  projectId?: string;
};

export type PrefixMatch = { params: DeclaredParams; problem?: undefined } | { problem: string; params?: undefined } | null;

export function matchDeclared(spec: RouteSpec, rawPath: string, query: URLSearchParams): PrefixMatch {
  if (!rawPath.startsWith(spec.path)) return null;
  const rest = rawPath.slice(spec.path.length);
  if (/%2f|%5c|\\|%00/i.test(rest)) return { problem: 'the path holds an encoded separator' };
  for (const segment of rest.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { problem: 'the path is not valid percent-encoding' };
    }
    if (decoded === '.' || decoded === '..') return { problem: 'the path holds a dot segment' };
  }
  if (typeof spec.auth === 'object') {
    const { segment, query: name } = spec.auth.owner;
    const raw = segment !== undefined ? rest.split('/')[segment] : query.get(name!);
    if (!raw) return { problem: segment !== undefined ? `no project id at path segment ${segment}` : `no project id in ?${name}=` };
    const projectId = safeDecode(raw);
    if (!projectId || !isValidId(projectId)) return { problem: 'malformed project id' };
    return { params: { rest, projectId } };
  }
  return { params: { rest } };
}

/** The path the upstream gets: its own base path, then the client's path (or only what follows the prefix). */
export function upstreamPath(spec: RouteSpec, rest: string): string {
  const base = spec.upstream.pathname.replace(/\/$/, '');
  return `${base}${spec.stripPrefix ? '/' : spec.path}${rest}`;
}

/** The raw path of a request target (origin-form only), without its query. */
export function rawPathOf(target: string | undefined): string | null {
  if (!target || target[0] !== '/') return null;
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

import { isValidId } from '../store/ids';
import type { RouteName } from './socket-registry';

// The upgrade route table of design.md. Matching is on path segments; a path that has a route's shape
// but a malformed id or query matches with a `problem` (closed with 4400), anything else is no match
// (HTTP 404).

export type RouteMatch =
  | { route: 'next' }
  | { route: 'build'; projectId: string; buildId?: string; after?: number; problem?: string }
  | { route: 'vnc'; sessionId: string; problem?: string }
  | { route: 'events'; problem?: string };

export type MatchedRoute = Exclude<RouteMatch, { route: 'next' }>;
export const routeOf = (m: MatchedRoute): RouteName => m.route;

export function matchRoute(pathname: string, query: URLSearchParams): RouteMatch | null {
  if (pathname.startsWith('/_next/')) return { route: 'next' };
  const seg = pathname.split('/').slice(1);
  if (seg[0] !== 'api') return null;

  if (seg[1] === 'build' && seg.length === 3) return matchBuild(decode(seg[2]), query);
  if (seg[1] === 'sessions' && seg.length === 4 && seg[3] === 'vnc') return matchVnc(decode(seg[2]));
  // The path older noVNC frontends use for the same socket.
  if (seg[1] === 'auth' && seg[2] === 'session' && seg.length === 6 && seg[4] === 'novnc' && seg[5] === 'websock') {
    return matchVnc(decode(seg[3]));
  }
  if (seg[1] === 'events' && seg.length === 2) return { route: 'events' };
  return null;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}

function matchBuild(projectId: string, query: URLSearchParams): RouteMatch {
  if (!isValidId(projectId)) return { route: 'build', projectId, problem: 'malformed project id' };
  const buildId = query.get('build') ?? undefined;
  if (buildId !== undefined && !isValidId(buildId)) return { route: 'build', projectId, problem: 'malformed build id' };
  const afterRaw = query.get('after');
  let after: number | undefined;
  if (afterRaw !== null) {
    if (!/^\d{1,15}$/.test(afterRaw)) return { route: 'build', projectId, problem: '`after` must be a sequence number' };
    after = Number(afterRaw);
  }
  return { route: 'build', projectId, buildId, after };
}

function matchVnc(sessionId: string): RouteMatch {
  if (!isValidId(sessionId)) return { route: 'vnc', sessionId, problem: 'malformed session id' };
  return { route: 'vnc', sessionId };
}

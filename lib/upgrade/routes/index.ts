import { buildRoute } from './build';
import { eventsRoute } from './events';
import type { AnyRoute, Matched } from './route';
import { vncRoute } from './vnc';

// The built-in socket routes, in the order the router tries them. Everything that lists routes — the
// socket registry, /healthz and the status page, the metrics labels, the ticket API — reads this list.

export const BUILTIN_ROUTES = [buildRoute, vncRoute, eventsRoute] as const;

export type BuiltinRouteName = (typeof BUILTIN_ROUTES)[number]['name'];

export const BUILTIN_ROUTE_NAMES = BUILTIN_ROUTES.map((r) => r.name) as readonly BuiltinRouteName[];

/** The first record whose path this is, with what it made of it; null when no route has this path (404). */
export function findRoute(routes: readonly AnyRoute[], pathname: string, query: URLSearchParams): { route: AnyRoute; matched: NonNullable<Matched<unknown>> } | null {
  for (const route of routes) {
    const matched = route.match(pathname, query);
    if (matched) return { route, matched };
  }
  return null;
}

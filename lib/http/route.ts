import type { IncomingMessage, ServerResponse } from 'node:http';

// A tiny method + path table for the JSON API. Patterns use `:name` segments; a path that matches a
// pattern but not its method is a 405, not a fall-through to the pages.

export type RouteContext<D> = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  deps: D;
};

export type Handler<D> = (ctx: RouteContext<D>) => Promise<void> | void;

export type RouteDef<D> = { method: string; pattern: string; handler: Handler<D> };

type Compiled<D> = RouteDef<D> & { regex: RegExp; names: string[] };

export function compileRoutes<D>(defs: RouteDef<D>[]): Compiled<D>[] {
  return defs.map((d) => {
    const names: string[] = [];
    const body = d.pattern
      .split('/')
      .map((seg) => {
        if (seg === '*') {
          names.push('rest');
          return '(.*)';
        }
        if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(seg.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return { ...d, regex: new RegExp(`^${body}$`), names };
  });
}

export type Found<D> = { kind: 'route'; def: Compiled<D>; params: Record<string, string> } | { kind: 'method'; allow: string[] } | null;

export function findRoute<D>(routes: Compiled<D>[], method: string, pathname: string): Found<D> {
  const allow: string[] = [];
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (!m) continue;
    if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) {
      allow.push(r.method);
      continue;
    }
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(m[i + 1]);
      } catch {
        params[n] = '\u0000';
      }
    });
    return { kind: 'route', def: r, params };
  }
  return allow.length ? { kind: 'method', allow } : null;
}

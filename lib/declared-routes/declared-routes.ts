import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '../http/json';
import type { Logger } from '../observability/logger';
import { probeBackend, type BackendHealth } from '../observability/health';
import type { AnyRoute } from '../upgrade/routes/route';
import { createDeclaredHttp, type DeclaredHttpDeps } from './http';
import { matchDeclared, rawPathOf } from './match';
import { declaredRecord } from './record';
import { parseRoutes, readRoutesText, RoutesFileError, type Auth, type RouteSpec } from './spec';
import type { DeclaredRouteStatus } from '../protocol/api';

// The operator's routes (ROUTES_FILE) as one swappable table: route records for the upgrade router, an
// HTTP handler for the request handler, and a status list. A reload (SIGHUP, or the file changing) reads
// the file again; a good file swaps the whole table at once, a bad one keeps the old table and logs one
// line that says why. Open sockets hold nothing of the table, so a swap never touches them.

// What the status page shows of a declared route is a wire type (lib/protocol/api.ts).
export type { DeclaredRouteStatus } from '../protocol/api';

export type DeclaredRoutesOptions = Omit<DeclaredHttpDeps, 'logger'> & {
  /** ROUTES_FILE; undefined: no declared routes (everything here is then a no-op). */
  file: string | undefined;
  /** The file as read at startup (readRoutesFile), so a bad file stops the start before anything opens. */
  initial: { text: string; specs: readonly RouteSpec[] } | null;
  logger: Logger;
  /** Open sockets of one route, from the socket registry. */
  openSockets?: (routeName: string) => number;
  /** Wait this long after the last change event before reading the file (editors write in bursts). */
  debounceMs?: number;
};

export type DeclaredRoutes = ReturnType<typeof createDeclaredRoutes>;
export type ReloadResult = { ok: true; routes: number } | { ok: false; error: string };

const HEALTH_CACHE_MS = 5000;

export function createDeclaredRoutes(opts: DeclaredRoutesOptions) {
  const { logger, file } = opts;
  const http = createDeclaredHttp(opts);
  let table = build(opts.initial?.specs ?? []);
  // What the file held when last read, good or bad: a change event that did not change it is no reload
  // and no log line (a watched directory also reports its other files, e.g. a ConfigMap's `..data` swap).
  let lastText = opts.initial?.text ?? null;
  let lastResult: ReloadResult = { ok: true, routes: table.specs.length };
  if (file) logger.info({ event: 'declared_routes', file, routes: table.specs.map((s) => s.path) }, `declared routes: ${table.specs.length} from ${path.basename(file)}`);

  function build(specs: readonly RouteSpec[]) {
    return { specs, records: Object.freeze(specs.map((s) => declaredRecord(s, opts.routeTokens))) };
  }

  let reloading: Promise<ReloadResult> | null = null;
  function apply(seen: { text: string } | { problem: string }): ReloadResult {
    try {
      if (!('text' in seen)) throw new RoutesFileError(seen.problem);
      const specs = parseRoutes(seen.text, file!);
      table = build(specs);
      http.retain(specs);
      logger.info({ event: 'declared_routes_reloaded', file, routes: specs.map((s) => s.path) }, `declared routes reloaded: ${specs.length} from ${path.basename(file!)}`);
      return { ok: true, routes: specs.length };
    } catch (err) {
      const error = err instanceof RoutesFileError ? err.message : `${path.basename(file!)}: ${(err as Error).message}`;
      logger.warn({ event: 'declared_routes_reload_failed', file }, `routes not reloaded, the previous table stays: ${error}`);
      return { ok: false, error };
    }
  }

  /** `onlyIfChanged`: a change event's reload, skipped when the file holds what it held last time. */
  async function reload(onlyIfChanged = false): Promise<ReloadResult> {
    if (!file) return { ok: true, routes: 0 };
    // One read at a time; a change during a read is picked up by the next event.
    reloading ??= (async (): Promise<ReloadResult> => {
      try {
        // The text, or why it could not be read (compared the same way, so a missing file is said once).
        const seen = await readRoutesText(file).then(
          (text) => ({ text }),
          (err: Error) => ({ problem: err instanceof RoutesFileError ? err.message : `${path.basename(file)}: ${err.message}` }),
        );
        const key = 'text' in seen ? seen.text : `\0${seen.problem}`;
        if (onlyIfChanged && key === lastText) return lastResult;
        lastText = key;
        return (lastResult = apply(seen));
      } finally {
        reloading = null;
      }
    })();
    return reloading;
  }

  // The directory is watched, not the file: editors and config managers replace a file by renaming a new
  // one over it, which ends a watch on the old inode.
  let watcher: fs.FSWatcher | null = null;
  let debounce: NodeJS.Timeout | undefined;
  if (file) {
    try {
      watcher = fs.watch(path.dirname(path.resolve(file)), () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload(true), opts.debounceMs ?? 200);
      });
      watcher.on('error', (err) => logger.warn({ event: 'declared_routes_watch_failed', err: err.message }, 'routes file no longer watched; SIGHUP still reloads it'));
    } catch (err) {
      logger.warn({ event: 'declared_routes_watch_failed', err: (err as Error).message }, 'routes file not watched; SIGHUP reloads it');
    }
  }

  const health = new Map<string, { at: number; result: Promise<BackendHealth> }>();
  function probe(spec: RouteSpec): Promise<BackendHealth> {
    const origin = spec.upstream.origin.replace(/^ws/, 'http');
    const hit = health.get(origin);
    if (hit && Date.now() - hit.at < HEALTH_CACHE_MS) return hit.result;
    const result = probeBackend(origin);
    health.set(origin, { at: Date.now(), result });
    if (health.size > 1000) health.delete(health.keys().next().value!);
    return result;
  }

  function describe(spec: RouteSpec, h: BackendHealth | null): DeclaredRouteStatus {
    return {
      name: spec.name,
      path: spec.path,
      upstream: spec.upstream.origin + spec.upstream.pathname,
      traffic: spec.traffic,
      auth: describeAuth(spec.auth),
      maxSockets: spec.maxSockets ?? null,
      openSockets: opts.openSockets?.(spec.name) ?? 0,
      health: h ? { reachable: h.reachable, ms: h.ms, ...(h.error ? { error: h.error } : {}) } : null,
    };
  }

  return {
    records(): readonly AnyRoute[] {
      return table.records;
    },
    /**
     * The router's list: the built-in records first (a declared prefix can never shadow one), then the
     * declared ones. The same array until a reload swaps the table: nothing is allocated per upgrade.
     */
    routesAfter(builtins: readonly AnyRoute[]): () => readonly AnyRoute[] {
      let seen: readonly AnyRoute[] | null = null;
      let all: readonly AnyRoute[] = builtins;
      return () => {
        if (seen !== table.records) all = table.records.length ? Object.freeze([...builtins, ...(seen = table.records)]) : ((seen = table.records), builtins);
        return all;
      };
    },
    specs(): readonly RouteSpec[] {
      return table.specs;
    },
    /** True when the request is on a declared route (and is answered here); false: not ours. */
    handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
      if (table.specs.length === 0) return false;
      const raw = rawPathOf(req.url);
      if (raw === null) return false;
      const q = req.url!.indexOf('?');
      const query = new URLSearchParams(q === -1 ? '' : req.url!.slice(q + 1));
      for (const spec of table.specs) {
        if (spec.traffic === 'websocket') continue;
        const m = matchDeclared(spec, raw, query);
        if (!m) continue;
        if (m.problem) sendError(res, 'bad_request', `Route ${spec.path}: ${m.problem}.`);
        else http.serve(spec, m.params!, req, res, query);
        return true;
      }
      return false;
    },
    /** What SIGHUP calls: reads the file again whatever it holds. */
    reload: () => reload(false),
    /** The table with open sockets, without probing the upstreams. */
    list(): DeclaredRouteStatus[] {
      return table.specs.map((s) => describe(s, null));
    },
    /** The table with each upstream's health (probed at most every few seconds per upstream). */
    async status(): Promise<DeclaredRouteStatus[]> {
      const specs = table.specs;
      const probes = await Promise.all(specs.map((s) => probe(s)));
      return specs.map((s, i) => describe(s, probes[i]));
    },
    close(): void {
      clearTimeout(debounce);
      watcher?.close();
      http.close();
    },
  };
}

export function describeAuth(auth: Auth): string {
  if (typeof auth === 'string') return auth;
  return auth.owner.segment !== undefined ? `owner (project at segment ${auth.owner.segment})` : `owner (project in ?${auth.owner.query}=)`;
}

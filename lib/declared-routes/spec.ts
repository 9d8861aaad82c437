import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BUILTIN_ROUTE_NAMES } from '../upgrade/routes';

// The routes file (ROUTES_FILE): operator-declared routes, JSON or YAML, validated here into frozen specs.
// Every problem is one sentence naming the file, the route (index and path) and the field, so the line the
// operator reads at startup or after a reload says what to fix.

/**
 * First path segments a declared prefix may not take: the API and Next's assets (the gateway's own
 * routes), the ops endpoints and every page of the dashboard. A declared route is matched before the API
 * and the pages, so without this list it could shadow them; with it, nothing built-in is ever reachable
 * through a declared route or hidden behind one.
 */
export const RESERVED_SEGMENTS: readonly string[] = Object.freeze([
  'api', '_next', 'healthz', 'metrics', 'login', 'projects', 'sessions', 'users', 'status', 'vnc', 'icon.svg', 'favicon.ico',
]);

/** At most this many routes in a file: the table is walked on every request. */
export const MAX_ROUTES = 100;
/** A routes file larger than this is refused before it is parsed. */
export const MAX_FILE_BYTES = 256 * 1024;

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

const prefix = z
  .string()
  .max(200)
  .refine((p) => p.startsWith('/') && p.endsWith('/') && p.length > 1, 'must start and end with "/" and name at least one segment')
  .refine((p) => /^[A-Za-z0-9\-._~/]+$/.test(p), 'may hold only letters, digits, "-", ".", "_", "~" and "/" (no "%", no query)')
  .refine((p) => !p.includes('//'), 'must not hold an empty segment ("//")')
  .refine((p) => p.split('/').every((s) => s !== '.' && s !== '..'), 'must not hold a "." or ".." segment')
  .refine((p) => !RESERVED_SEGMENTS.includes(p.split('/')[1]), `must not start with a path of Portico's own (${RESERVED_SEGMENTS.join(', ')})`);

const upstream = z
  .string()
  .refine((u) => {
    try {
      const url = new URL(u);
      return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !!url.hostname && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'must be an http(s) or ws(s) URL without credentials, query or fragment');

const auth = z.union([
  z.enum(['public', 'user', 'admin']),
  z.strictObject({
    owner: z.strictObject({
      /** The n-th segment after the prefix (0: the first) names the project. */
      segment: z.number().int().min(0).max(20).optional(),
      /** Or the query parameter of that name does. */
      query: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a query parameter name').optional(),
    }).refine((o) => (o.segment === undefined) !== (o.query === undefined), 'must name exactly one of "segment" or "query"'),
  }),
], { error: 'must be "public", "user", "admin" or { owner: { segment: n } | { query: name } }' });

const route = z.strictObject({
  name: z
    .string()
    .regex(NAME_RE, 'must be lower-case letters, digits and "-" (at most 63)')
    .refine((n) => !(BUILTIN_ROUTE_NAMES as readonly string[]).includes(n), `must not be the name of a built-in route (${BUILTIN_ROUTE_NAMES.join(', ')})`)
    .optional(),
  path: prefix,
  upstream,
  traffic: z.enum(['http', 'websocket', 'both']).default('both'),
  auth,
  stripPrefix: z.boolean().default(false),
  connectTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  idleTimeoutMs: z.number().int().min(1000).max(86_400_000).optional(),
  maxSockets: z.number().int().min(1).max(1_000_000).optional(),
  identity: z.enum(['headers', 'bearer', 'none']).default('headers'),
});

const file = z.strictObject({ routes: z.array(z.unknown()).max(MAX_ROUTES, `at most ${MAX_ROUTES} routes`) });

export type Auth = 'public' | 'user' | 'admin' | { owner: { segment?: number; query?: string } };

export type RouteSpec = Readonly<{
  /** Unique; defaults to the prefix's segments joined with "-" (`/socket.io/` → `socket-io`). */
  name: string;
  path: string;
  upstream: URL;
  traffic: 'http' | 'websocket' | 'both';
  auth: Auth;
  stripPrefix: boolean;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxSockets?: number;
  identity: 'headers' | 'bearer' | 'none';
}>;

export class RoutesFileError extends Error {}

/** Parses a routes file's text; `file` is the name used in error sentences. */
export function parseRoutes(text: string, fileName: string): readonly RouteSpec[] {
  const where = path.basename(fileName);
  let doc: unknown;
  try {
    doc = /\.json$/i.test(fileName) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new RoutesFileError(`${where}: not valid ${/\.json$/i.test(fileName) ? 'JSON' : 'YAML'}: ${firstLine((err as Error).message)}`);
  }
  const top = file.safeParse(doc);
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new RoutesFileError(`${where}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.path.length ? issue.message : 'must be an object with a "routes" list'}`);
  }
  const specs: RouteSpec[] = [];
  top.data.routes.forEach((raw, i) => {
    const label = `route ${i + 1}${pathOf(raw) ? ` (${pathOf(raw)})` : ''}`;
    const r = route.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      if (issue.code === 'unrecognized_keys') throw new RoutesFileError(`${where}: ${label}: ${[...issue.path, issue.keys[0]].join('.')}: not a field of a route (a typo?)`);
      const field = issue.path.length ? issue.path.join('.') : 'route';
      throw new RoutesFileError(`${where}: ${label}: ${field}: ${issue.message}`);
    }
    const spec: RouteSpec = Object.freeze({ ...r.data, name: r.data.name ?? defaultName(r.data.path), upstream: new URL(r.data.upstream) });
    if ((BUILTIN_ROUTE_NAMES as readonly string[]).includes(spec.name)) throw new RoutesFileError(`${where}: ${label}: name: "${spec.name}" is a built-in route's; give the route a "name"`);
    for (const other of specs) {
      if (other.name === spec.name) throw new RoutesFileError(`${where}: ${label}: name: "${spec.name}" is already the name of another route`);
      if (spec.path.startsWith(other.path) || other.path.startsWith(spec.path)) {
        throw new RoutesFileError(`${where}: ${label}: path: overlaps ${other.path}; one prefix per route`);
      }
    }
    specs.push(spec);
  });
  return Object.freeze(specs);
}

/** The file's text, bounded; a failure is a RoutesFileError with one sentence. */
export async function readRoutesText(fileName: string): Promise<string> {
  try {
    const stat = await fs.stat(fileName);
    if (stat.size > MAX_FILE_BYTES) throw new RoutesFileError(`${path.basename(fileName)}: larger than ${MAX_FILE_BYTES / 1024} KB`);
    return await fs.readFile(fileName, 'utf8');
  } catch (err) {
    if (err instanceof RoutesFileError) throw err;
    throw new RoutesFileError(`${path.basename(fileName)}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Reads and parses the file; every failure is a RoutesFileError with one sentence. */
export async function readRoutesFile(fileName: string): Promise<{ text: string; specs: readonly RouteSpec[] }> {
  const text = await readRoutesText(fileName);
  return { text, specs: parseRoutes(text, fileName) };
}

export function defaultName(prefixPath: string): string {
  return prefixPath.split('/').filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'route';
}

function pathOf(raw: unknown): string | null {
  const p = (raw as { path?: unknown } | null)?.path;
  return typeof p === 'string' ? p.slice(0, 80) : null;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 160);
}

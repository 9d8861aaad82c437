import path from 'node:path';
import net from 'node:net';
import { z } from 'zod';

// Every setting Portico reads, with the defaults of design.md ("Environment"). Parsed once at start-up
// into a frozen object that is passed in; nothing below server.ts reads process.env.

function isAddressOrCidr(entry: string): boolean {
  const [base, bits, extra] = entry.split('/');
  const family = net.isIP(base);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

function isHost(entry: string): boolean {
  return net.isIP(entry) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(entry);
}

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(def));
const list = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
);

const schema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: int(3000, 0, 65535),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  // Unset: SQLite in DATA_DIR. Set: Postgres holds the store, so several processes and machines share it.
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  JWT_SECRET: optionalString,
  ALLOWED_ORIGINS: list.pipe(z.array(z.url({ protocol: /^https?$/ }))),
  ADMIN_USERNAME: z.preprocess(emptyAsUndefined, z.string().min(1).max(64).default('admin')),
  ADMIN_PASSWORD: optionalString,
  BUILD_BACKEND_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^(http|ws)s?$/ }).optional()),
  // 0: any free loopback port, so two instances on one machine never collide (design.md "Embedded defaults").
  BUILD_BACKEND_PORT: int(0, 0, 65535),
  // Where `npm run backend` (the backend alone) listens; the embedded one is always on loopback.
  BUILD_BACKEND_HOST: z.preprocess(emptyAsUndefined, z.string().refine(isHost, 'must be an IP address or a host name').default('127.0.0.1')),
  PREVIEW_PORT: int(3001, 0, 65535),
  PREVIEW_ORIGIN: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  LLM_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(['auto', 'openai', 'offline']).default('auto')),
  LLM_BASE_URL: z.preprocess(emptyAsUndefined, z.url().default('http://localhost:1234/v1')),
  LLM_MODEL: optionalString,
  OFFLINE_STREAM_DELAY_MS: int(20, 0, 10_000),
  MAX_SOCKETS: int(10000, 1),
  MAX_SOCKETS_PER_USER: int(100, 1),
  UPSTREAM_CONNECT_TIMEOUT_MS: int(10000, 100),
  HEARTBEAT_MS: int(25000, 100),
  VNC_PROVIDER: z.preprocess(emptyAsUndefined, z.enum(['local', 'external']).default('local')),
  VNC_TARGET_ALLOW: list,
  // Set: this gateway runs no VMs; local sessions live on that vmhost (`npm run vmhost`). Unset: embedded.
  VMHOST_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  // Signs the gateway → vmhost tokens; the vmhost gets this and never JWT_SECRET.
  VMHOST_SECRET: optionalString,
  // Where `npm run vmhost` listens: loopback unless the gateways are on other machines.
  VMHOST_HOST: z.preprocess(emptyAsUndefined, z.string().refine(isHost, 'must be an IP address or a host name').default('127.0.0.1')),
  VMHOST_PORT: int(0, 0, 65535),
  // Proxies whose X-Forwarded-For is believed (addresses or CIDRs): nginx on the same host by default.
  TRUSTED_PROXIES: z.preprocess(
    (v) => (v === undefined || (typeof v === 'string' && v.trim() === '') ? '127.0.0.1,::1' : v === 'none' ? '' : v),
    list.pipe(z.array(z.string().refine(isAddressOrCidr, 'each entry must be an IP address or a CIDR such as 10.0.0.0/8'))),
  ),
  VM_UID_BASE: int(200000, 1000, 2 ** 31 - 2000),
  VM_HOME_MAX_BYTES: int(1073741824, 16 * 1024 ** 2, 2 ** 44),
  VM_MEMORY_MAX_BYTES: int(1073741824, 64 * 1024 ** 2, 2 ** 50),
  VM_PIDS_MAX: int(256, 16, 4_194_304),
  VM_CPU_MAX: z.preprocess(emptyAsUndefined, z.coerce.number().min(0.01).max(4096).default(1)),
  EMIT_TOKEN: optionalString,
  METRICS_TOKEN: optionalString,
  UPLOAD_MAX_BYTES: int(10485760, 1),
  MAX_STORAGE_BYTES_PER_USER: int(524288000, 1),
  MAX_PROJECTS_PER_USER: int(50, 1),
  MAX_SESSIONS_PER_USER: int(3, 1),
  MAX_BUILDS_PER_HOUR: int(30, 1),
  LLM_MAX_TOKENS: int(8192, 1),
  LLM_MAX_OUTPUT_BYTES: int(1048576, 1024),
  LLM_FIRST_TOKEN_TIMEOUT_MS: int(30000, 1),
  LLM_IDLE_TIMEOUT_MS: int(120000, 1),
  BUILD_OUTPUTS_KEPT: int(20, 1, 10_000),
  // A worker that stops renewing its hold on a build for this long is lost: another worker retries it.
  BUILD_JOB_LOCK_MS: int(30000, 500, 3_600_000),
  BUILD_JOB_ATTEMPTS: int(3, 1, 100),
  TOKEN_TTL_S: int(43200, 60),
  SESSION_MAX_S: int(604800, 60),
  SESSION_CACHE_MS: int(5000, 0, 5000),
  LOGIN_ATTEMPTS_PER_IP: int(20, 1),
  LOGIN_FAILURES_PER_USER: int(10, 1),
  LOGIN_WINDOW_S: int(60, 1),
  LOGIN_FREE_FAILURES: int(5, 0),
  LOGIN_MAX_BACKOFF_S: int(300, 1),
  PASSWORD_HASH_CONCURRENCY: int(2, 1, 64),
  PASSWORD_HASH_QUEUE: int(32, 0),
  ROUTES_FILE: optionalString,
  // Unset: the hub's bus, the socket limits and the builds stay in this process (design.md "Scale-out").
  REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});

export type RawConfig = z.infer<typeof schema>;

export type Config = Readonly<{
  env: RawConfig['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… : the store lives in Postgres instead of SQLite in dataDir. */
  databaseUrl: string | undefined;
  jwtSecret: string | undefined;
  allowedOrigins: readonly string[];
  adminUsername: string;
  adminPassword: string | undefined;
  buildBackendUrl: string | undefined;
  /** Port of the build backend (0: any free port). */
  buildBackendPort: number;
  /** Interface the standalone build backend (`npm run backend`) listens on. */
  buildBackendHost: string;
  /** Port of the preview origin's server (0: any free port). */
  previewPort: number;
  /** The preview origin as browsers reach it; undefined: http://<the dashboard's host>:<previewPort>. */
  previewOrigin: string | undefined;
  llmProvider: RawConfig['LLM_PROVIDER'];
  llmBaseUrl: string;
  llmModel: string | undefined;
  offlineStreamDelayMs: number;
  maxSockets: number;
  maxSocketsPerUser: number;
  upstreamConnectTimeoutMs: number;
  heartbeatMs: number;
  vncProvider: RawConfig['VNC_PROVIDER'];
  vncTargetAllow: readonly string[];
  /** The vmhost's base URL (http:); undefined: local VMs run in this process. */
  vmhostUrl: string | undefined;
  vmhostSecret: string | undefined;
  vmhostHost: string;
  vmhostPort: number;
  trustedProxies: readonly string[];
  vmUidBase: number;
  /** What one local VM's home may hold (an ext4 image of this size where loop mounts work). */
  vmHomeMaxBytes: number;
  /** What one local VM desktop's cgroup allows: bytes of memory (swap included), processes, CPU cores. */
  vmMemoryMaxBytes: number;
  vmPidsMax: number;
  vmCpuMax: number;
  emitToken: string | undefined;
  /** Bearer token a Prometheus scraper sends for /metrics; without it, only admins read /metrics. */
  metricsToken: string | undefined;
  uploadMaxBytes: number;
  maxStorageBytesPerUser: number;
  maxProjectsPerUser: number;
  maxSessionsPerUser: number;
  maxBuildsPerHour: number;
  llmMaxTokens: number;
  llmMaxOutputBytes: number;
  /** No text from the model this long after the request: a warning in the build's log. */
  llmFirstTokenTimeoutMs: number;
  /** No text from the model this long, before or between tokens: the build fails. */
  llmIdleTimeoutMs: number;
  /** Builds per project whose output folders (DATA_DIR/builds/<id>) are kept. */
  buildOutputsKept: number;
  /** Redis (node-redis URL); set: hub topics, socket limits, build jobs and build live tails are shared there. */
  redisUrl: string | undefined;
  /** How long a build worker's hold on a job lasts without renewal before another worker may retry it. */
  buildJobLockMs: number;
  /** Workers a build may be given in all (the first and the retries after a lost worker). */
  buildJobAttempts: number;
  tokenTtlS: number;
  sessionMaxS: number;
  sessionCacheMs: number;
  loginAttemptsPerIp: number;
  loginFailuresPerUser: number;
  loginWindowS: number;
  loginFreeFailures: number;
  loginMaxBackoffS: number;
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  logLevel: RawConfig['LOG_LEVEL'];
  /** Operator-declared routes (JSON or YAML); undefined: none. */
  routesFile: string | undefined;
}>;

export class ConfigError extends Error {}

/** Minimum length of JWT_SECRET in production: 32 bytes, the HS256 key size. */
export const MIN_SECRET_BYTES = 32;

/**
 * `opts.role: 'worker' | 'vmhost'`: a build worker signs nothing and verifies nothing, and the vmhost
 * verifies with VMHOST_SECRET alone, so neither needs nor is given JWT_SECRET (least privilege);
 * everything else is read exactly as for the server.
 */
export function loadConfig(env: Record<string, string | undefined>, opts: { role?: 'server' | 'worker' | 'vmhost' } = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${String(first.path[0] ?? '')}: ${first.message}.`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (production && (opts.role ?? 'server') === 'server' && (!c.JWT_SECRET || Buffer.byteLength(c.JWT_SECRET) < MIN_SECRET_BYTES)) {
    throw new ConfigError(
      `JWT_SECRET is ${c.JWT_SECRET ? 'too short' : 'not set'}: production needs a secret of at least ${MIN_SECRET_BYTES} bytes (for example: openssl rand -base64 48).`,
    );
  }
  if (c.VMHOST_URL && Buffer.byteLength(c.VMHOST_SECRET ?? '') < MIN_SECRET_BYTES) {
    throw new ConfigError(`VMHOST_SECRET is ${c.VMHOST_SECRET ? 'too short' : 'not set'}: with VMHOST_URL the gateway signs its requests to the vmhost with it (at least ${MIN_SECRET_BYTES} bytes, the same on the vmhost).`);
  }
  return Object.freeze({
    env: c.NODE_ENV,
    production,
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    jwtSecret: c.JWT_SECRET,
    allowedOrigins: Object.freeze(c.ALLOWED_ORIGINS.map((o) => new URL(o).origin)),
    adminUsername: c.ADMIN_USERNAME,
    adminPassword: c.ADMIN_PASSWORD,
    buildBackendUrl: c.BUILD_BACKEND_URL,
    buildBackendPort: c.BUILD_BACKEND_PORT,
    buildBackendHost: c.BUILD_BACKEND_HOST,
    previewPort: c.PREVIEW_PORT,
    previewOrigin: c.PREVIEW_ORIGIN ? new URL(c.PREVIEW_ORIGIN).origin : undefined,
    llmProvider: c.LLM_PROVIDER,
    llmBaseUrl: c.LLM_BASE_URL,
    llmModel: c.LLM_MODEL,
    offlineStreamDelayMs: c.OFFLINE_STREAM_DELAY_MS,
    maxSockets: c.MAX_SOCKETS,
    maxSocketsPerUser: c.MAX_SOCKETS_PER_USER,
    upstreamConnectTimeoutMs: c.UPSTREAM_CONNECT_TIMEOUT_MS,
    heartbeatMs: c.HEARTBEAT_MS,
    vncProvider: c.VNC_PROVIDER,
    vncTargetAllow: Object.freeze([...c.VNC_TARGET_ALLOW]),
    vmhostUrl: c.VMHOST_URL,
    vmhostSecret: c.VMHOST_SECRET,
    vmhostHost: c.VMHOST_HOST,
    vmhostPort: c.VMHOST_PORT,
    trustedProxies: Object.freeze([...c.TRUSTED_PROXIES]),
    vmUidBase: c.VM_UID_BASE,
    vmHomeMaxBytes: c.VM_HOME_MAX_BYTES,
    vmMemoryMaxBytes: c.VM_MEMORY_MAX_BYTES,
    vmPidsMax: c.VM_PIDS_MAX,
    vmCpuMax: c.VM_CPU_MAX,
    emitToken: c.EMIT_TOKEN,
    metricsToken: c.METRICS_TOKEN,
    uploadMaxBytes: c.UPLOAD_MAX_BYTES,
    maxStorageBytesPerUser: c.MAX_STORAGE_BYTES_PER_USER,
    maxProjectsPerUser: c.MAX_PROJECTS_PER_USER,
    maxSessionsPerUser: c.MAX_SESSIONS_PER_USER,
    maxBuildsPerHour: c.MAX_BUILDS_PER_HOUR,
    llmMaxTokens: c.LLM_MAX_TOKENS,
    llmMaxOutputBytes: c.LLM_MAX_OUTPUT_BYTES,
    llmFirstTokenTimeoutMs: c.LLM_FIRST_TOKEN_TIMEOUT_MS,
    llmIdleTimeoutMs: c.LLM_IDLE_TIMEOUT_MS,
    buildOutputsKept: c.BUILD_OUTPUTS_KEPT,
    redisUrl: c.REDIS_URL,
    buildJobLockMs: c.BUILD_JOB_LOCK_MS,
    buildJobAttempts: c.BUILD_JOB_ATTEMPTS,
    tokenTtlS: c.TOKEN_TTL_S,
    sessionMaxS: Math.max(c.SESSION_MAX_S, c.TOKEN_TTL_S),
    sessionCacheMs: c.SESSION_CACHE_MS,
    loginAttemptsPerIp: c.LOGIN_ATTEMPTS_PER_IP,
    loginFailuresPerUser: c.LOGIN_FAILURES_PER_USER,
    loginWindowS: c.LOGIN_WINDOW_S,
    loginFreeFailures: c.LOGIN_FREE_FAILURES,
    loginMaxBackoffS: c.LOGIN_MAX_BACKOFF_S,
    passwordHashConcurrency: c.PASSWORD_HASH_CONCURRENCY,
    passwordHashQueue: c.PASSWORD_HASH_QUEUE,
    logLevel: c.LOG_LEVEL,
    routesFile: c.ROUTES_FILE ? path.resolve(c.ROUTES_FILE) : undefined,
  });
}

// The operator tools (`npm run doctor`) read their own few variables, through zod like the server's, but
// without the server's requirements (a doctor run needs no JWT_SECRET).
const toolSchema = z.object({
  PORTICO_TOKEN: optionalString,
});

export type ToolConfig = Readonly<{ /** Sign-in token the doctor uses when `--token` is not given. */ porticoToken: string | undefined }>;

export function loadToolConfig(env: Record<string, string | undefined>): ToolConfig {
  const parsed = toolSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${String(first.path[0] ?? '')}: ${first.message}.`);
  }
  return Object.freeze({ porticoToken: parsed.data.PORTICO_TOKEN });
}

/** Every variable Portico and its tools read: .env.example and the README's table must list each one. */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze([...Object.keys(schema.shape), ...Object.keys(toolSchema.shape)]);

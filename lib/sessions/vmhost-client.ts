import type { ShareRights } from '../protocol/api';
import type { TokenClaims } from '../auth/tokens';
import type { VmhostOp, VmhostTokens } from '../auth/vmhost-tokens';
import { HttpError, errorCodeForStatus } from '../errors/http-errors';
import type { Logger } from '../observability/logger';
import type { VmhostStatusBody } from './vmhost-server';
import type { HomeFiles } from './vm-files';
import { remoteHomeFiles } from './vm-files-remote';

// The gateway's side of `npm run vmhost` (VMHOST_URL): start and stop a session's VM there, know what the
// provider can do, learn of VMs that exited, and say where a viewer's socket goes. Every call carries a
// token minted for that one operation on that one session; nothing of the user's goes to the vmhost.

/** How often each gateway asks for the vmhost's state and the VMs that exited since it last asked. */
export const VMHOST_POLL_MS = 2000;
const CALL_TIMEOUT_MS = 5000;
// A VM start waits for its desktop to listen (local-vnc.ts: up to 8 s) after the home and cgroups are made.
const START_TIMEOUT_MS = 30_000;

export type VmhostState = Pick<VmhostStatusBody, 'available' | 'sandboxed' | 'sentence' | 'vms'>;

export type VmhostClientDeps = {
  url: URL;
  tokens: VmhostTokens;
  logger: Logger;
  /** A VM on the vmhost exited by itself; the vmhost has already marked the session stopped in the store. */
  onExit(sessionId: string): void;
  pollMs?: number;
};

export function createVmhostClient(deps: VmhostClientDeps) {
  const base = deps.url.href.replace(/\/$/, '');
  let state: VmhostState | null = null;
  let problem = 'The VM host has not answered yet';
  let epoch: string | null = null;
  let after = 0;
  let polling: Promise<VmhostState | null> | null = null;
  // Said once when the vmhost goes away (or was never there), not at every poll.
  let warned = false;

  async function call(method: string, path: string, op: VmhostOp, sessionId: string | null, user: TokenClaims | null, body?: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<Response> {
    const token = await deps.tokens.mint({ op, sessionId, userId: user?.userId ?? null, role: user?.role ?? 'user' });
    const send = () =>
      fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    let res: Response;
    try {
      // fetch keeps connections alive; after a vmhost restart the first request can meet a pooled socket
      // the old process closed. A GET or DELETE is tried once more on a fresh one; a start is not repeated.
      res = await send().catch((err) => (method !== 'PUT' && causeOf(err) === 'UND_ERR_SOCKET' ? send() : Promise.reject(err)));
    } catch (err) {
      const why = causeOf(err);
      problem = `The VM host at ${deps.url.origin} does not answer (${why})`;
      state = null;
      throw new HttpError('unavailable', `The VM host is unreachable (${why}); try again shortly.`);
    }
    if (res.ok) return res;
    const answer = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new HttpError(errorCodeForStatus(res.status), answer?.error?.message ?? `The VM host answered HTTP ${res.status}.`);
  }

  async function poll(): Promise<VmhostState | null> {
    try {
      const res = await call('GET', `/status?epoch=${epoch ?? ''}&after=${after}`, 'status', null, null);
      const body = (await res.json()) as VmhostStatusBody;
      // A restarted vmhost (a new epoch) numbers its exits from 1 again and sends them all. On the first
      // contact, exits from before this gateway started are old news (the store has them).
      if (epoch !== null) for (const e of body.exits) deps.onExit(e.sessionId);
      epoch = body.epoch;
      after = body.lastSeq;
      if (!state) deps.logger.info({ event: 'vmhost_reachable', vmhost: deps.url.origin, vms: body.vms }, 'the VM host answers');
      state = { available: body.available, sandboxed: body.sandboxed, sentence: body.sentence, vms: body.vms };
    } catch (err) {
      if (!(err instanceof HttpError)) deps.logger.error({ err }, 'vmhost status poll failed');
      else if (err.status !== 503) problem = `The VM host refused this gateway (${err.message})`;
      if (state || !warned) deps.logger.warn({ event: 'vmhost_unreachable', vmhost: deps.url.origin }, problem);
      warned = true;
      state = null;
    }
    return state;
  }

  /** One poll at a time: the timer's and a request's share it. */
  function refresh(): Promise<VmhostState | null> {
    polling ??= poll().finally(() => (polling = null));
    return polling;
  }

  const timer = setInterval(() => void refresh(), deps.pollMs ?? VMHOST_POLL_MS);
  timer.unref();
  void refresh();

  return {
    url: deps.url,
    /** The state of the last poll; null while the vmhost does not answer (`problem` says why). */
    get state(): VmhostState | null {
      return state;
    },
    get problem(): string {
      return `${problem}; VM sessions are unavailable until it is back.`;
    },
    refresh,
    async start(sessionId: string, name: string, user: TokenClaims): Promise<{ target: string; sandboxed: boolean }> {
      const res = await call('PUT', `/vms/${encodeURIComponent(sessionId)}`, 'create', sessionId, user, { name }, START_TIMEOUT_MS);
      return (await res.json()) as { target: string; sandboxed: boolean };
    },
    async stop(sessionId: string, user: TokenClaims): Promise<void> {
      await call('DELETE', `/vms/${encodeURIComponent(sessionId)}`, 'delete', sessionId, user);
    },
    /** Where a viewer's socket goes, with the credential for it: that session only, a minute. */
    async viewer(sessionId: string, user: TokenClaims, rights?: ShareRights): Promise<{ url: URL; bearer: string }> {
      const url = new URL(`${base.replace(/^http/, 'ws')}/vnc/${encodeURIComponent(sessionId)}`);
      // A share link's viewer: the rights travel in the token, and the vmhost's bridge enforces them.
      return { url, bearer: await deps.tokens.mint({ op: 'connect', sessionId, userId: user.userId, role: user.role, ...(rights ? { rights } : {}) }) };
    },
    /** The session's home on the vmhost: each operation with a token for it (op `files`, that session). */
    homeFiles(sessionId: string, user: TokenClaims): HomeFiles {
      return remoteHomeFiles({ base, sessionId, token: () => deps.tokens.mint({ op: 'files', sessionId, userId: user.userId, role: user.role }) });
    },
    close(): void {
      clearInterval(timer);
    },
  };
}

export type VmhostClient = ReturnType<typeof createVmhostClient>;

function causeOf(err: unknown): string {
  return (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
}

import { WebSocket } from 'ws';
import { keepAlive } from '../net/heartbeat';
import { answerPings, sendWithinLimit } from '../net/peer-bound';
import { closeReason } from '../net/ws-frames';
import type { TokenClaims } from '../auth/tokens';
import { toBuildInfo, type Builds } from '../store/builds';
import type { BuildRunner } from './build-runner';
import type { EventLog } from './event-log';
import { type BuildEvent, type ClientMessage, type ProviderInfo, type ServerMessage } from '../protocol/build';
import { refusal, type Refusal } from '../errors/reasons';
import { HttpError } from '../errors/http-errors';
import { promptRefusal } from './build-commands';

// One browser watching one project's builds over a WebSocket: hello, replay after `after`, live events,
// and the two things a client may ask — start and cancel.

export type BuildSocketDeps = { builds: Builds; log: EventLog; runner: BuildRunner; providerName: () => string; providerInfo?: () => ProviderInfo; heartbeatMs: number };

export type BuildSocketParams = { projectId: string; buildId?: string; after: number; user: TokenClaims };

// What a client may owe before it is dropped (1013); it resumes from its last seq on reconnect. Larger
// than the hub's: a replay sends a whole build's stored events in one burst, to readers that are fine.
export const BUILD_PEER_LIMIT_BYTES = 8 * 1024 * 1024;

export function serveBuildSocket(ws: WebSocket, p: BuildSocketParams, deps: BuildSocketDeps) {
  let unfollow: (() => void) | null = null;
  const send = (m: ServerMessage) => void sendWithinLimit(ws, JSON.stringify(m), BUILD_PEER_LIMIT_BYTES);
  // The sentence is the refusal's own (lib/errors/reasons.ts): this module names reasons, never words them.
  const error = ({ code, reason, message }: Refusal) => send({ type: 'error', code, reason, message });

  async function watch(buildId: string | undefined, after: number) {
    unfollow?.();
    unfollow = null;
    const build = buildId ? await deps.builds.byId(buildId) : await deps.builds.latestFor(p.projectId);
    if (buildId && (!build || build.project_id !== p.projectId)) {
      const r = refusal('no_such_build');
      ws.close(r.code, closeReason(r.message));
      return;
    }
    send({ type: 'hello', build: build ? toBuildInfo(build) : null, provider: build?.provider ?? deps.providerName(), providerInfo: deps.providerInfo?.(), lastSeq: build?.last_seq ?? 0 });
    if (!build || ws.readyState !== WebSocket.OPEN) return;
    const stop = await deps.log.follow(build.id, after, (e: BuildEvent) => send(e));
    if (ws.readyState !== WebSocket.OPEN) return stop();
    unfollow = stop;
  }

  async function onMessage(raw: string) {
    let msg: ClientMessage;
    try {
      msg = JSON.parse(raw) as ClientMessage;
    } catch {
      return error(refusal('not_json'));
    }
    if (msg?.type === 'cancel') {
      if (!(await deps.runner.cancel(p.projectId, `Cancelled by ${p.user.username}.`))) error(refusal('no_running_build'));
      return;
    }
    if (msg?.type !== 'start') return error(refusal('unknown_build_message'));
    const bad = promptRefusal(msg.prompt);
    if (bad) return error(bad);
    const prompt = (msg.prompt as string).trim();
    const started = await deps.runner.start(p.projectId, p.user.userId, prompt);
    if (!started.ok) return error(started.reason !== 'conflict' ? started.refusal : refusal('build_running'));
    await watch(started.build.id, 0);
  }

  keepAlive(ws, deps.heartbeatMs);
  answerPings(ws, BUILD_PEER_LIMIT_BYTES);
  ws.on('error', () => undefined);
  // Messages and the initial watch run one after another, so a quick `start` cannot interleave with
  // the replay of the previous build.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => {
    // A queue of builds that cannot be reached (REDIS_URL) is 1013, try again; anything else is ours.
    queue = queue.then(fn).catch((err) => error(refusal(err instanceof HttpError && err.status === 503 ? 'build_queue_unavailable' : 'internal')));
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return error(refusal('binary_message'));
    enqueue(() => onMessage(data.toString()));
  });
  ws.once('close', () => unfollow?.());

  enqueue(() => watch(p.buildId, p.after));
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { toBuildInfo, type Builds } from '../store/builds';
import type { EventLog } from './event-log';
import type { BuildEvent, HelloMessage, ProviderInfo } from '../protocol/build';
import { errorBody, errorCodeForStatus } from '../errors/http-errors';
import { refusal } from '../errors/reasons';

// The same build events as Server-Sent Events, for networks where WebSocket cannot pass. `id:` is the
// seq, so a browser's EventSource resumes by itself with Last-Event-ID after a drop.

export type SseDeps = { builds: Builds; log: EventLog; heartbeatMs: number; providerName: () => string; providerInfo?: () => ProviderInfo };

export async function serveBuildEvents(req: IncomingMessage, res: ServerResponse, q: { projectId: string; buildId?: string; after: number }, deps: SseDeps) {
  const build = q.buildId ? await deps.builds.byId(q.buildId) : await deps.builds.latestFor(q.projectId);
  if (q.buildId && (!build || build.project_id !== q.projectId)) {
    const r = refusal('no_such_build');
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(errorBody(errorCodeForStatus(r.status), r.message)));
    return;
  }
  // A finished build whose events the client already has: 204 is the one answer that makes an
  // EventSource stop reconnecting.
  if (build && build.status !== 'running' && q.after >= build.last_seq) return void res.writeHead(204).end();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // nginx: do not buffer this response (deploy/nginx.conf also turns buffering off for the route).
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const hello: HelloMessage = { type: 'hello', build: build ? toBuildInfo(build) : null, provider: build?.provider ?? deps.providerName(), providerInfo: deps.providerInfo?.(), lastSeq: build?.last_seq ?? 0 };
  res.write(`event: hello\ndata: ${JSON.stringify(hello)}\n\n`);
  if (!build) return void res.end();

  const heartbeat = setInterval(() => res.write(': ping\n\n'), deps.heartbeatMs);
  let stop: (() => void) | null = null;
  const end = () => {
    clearInterval(heartbeat);
    stop?.();
    stop = null;
  };
  req.once('close', end);
  stop = await deps.log.follow(build.id, q.after, (e: BuildEvent) => {
    res.write(`id: ${e.seq}\nevent: build\ndata: ${JSON.stringify(e)}\n\n`);
    // A finished build has nothing more to say: end the stream so the client can close it too.
    if (e.type === 'done') {
      end();
      res.end();
    }
  });
  if (req.destroyed) end();
}

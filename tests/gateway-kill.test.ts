import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { WebSocket } from 'ws';
import type { BuildEvent, HelloMessage } from '../lib/protocol/build';
import { LEASE_TTL_MS } from '../lib/upgrade/redis-leases';
import { buildWatcher } from './helpers/build-client';
import { eventually, jsonAt, signInAt, startTestCluster, type ClusterGateway, type TestCluster } from './helpers/cluster';
import { opened } from './helpers/gateway';

// A gateway SIGKILLed mid-build (issue 13, point 3): its build client reconnects through HAProxy to the
// other gateway with the last seq it saw and gets every event exactly once, and the dead gateway's socket
// lease lapses on Redis within the lease TTL with nobody telling Redis it died: until then it counts
// against the user's socket limit (a socket past it gets 4429), after that the slot is free again.

// Always on Postgres and Redis: `npm test`'s second pass (the suite again on Postgres) would only repeat it.

const PER_USER = 2;

describe('a gateway killed mid-build', () => {
  let cluster: TestCluster;
  let redis: ReturnType<typeof createClient>;

  before(async () => {
    // 40 ms per streamed chunk: the build lasts long enough to kill a gateway in the middle of it.
    cluster = await startTestCluster({ gateways: 2, worker: true, gatewayEnv: { MAX_SOCKETS_PER_USER: String(PER_USER) }, workerEnv: { LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '40' } });
    redis = createClient({ url: cluster.redis.url });
    redis.on('error', () => undefined);
    await redis.connect();
  });
  after(async () => {
    await redis?.quit().catch(() => undefined);
    await cluster?.stop();
  });

  /** Leases not yet expired on Redis's clock, over every holder. */
  async function liveLeases(): Promise<number> {
    const [sec, usec] = (await redis.sendCommand(['TIME'])) as [string, string];
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    return redis.zCount('{portico:leases}:all', `(${now}`, '+inf');
  }

  async function holderOfBuildSocket(token: string): Promise<ClusterGateway> {
    return eventually('one gateway holds the build socket', 5000, async () => {
      const holding = [];
      for (const gw of cluster.gateways.filter((g) => g.running())) {
        const h = await jsonAt<{ sockets: { byRoute: Record<string, number> } }>(gw.url, 'GET', '/api/admin/health', token);
        if ((h.sockets.byRoute.build ?? 0) > 0) holding.push(gw);
      }
      return holding.length === 1 ? holding[0] : undefined;
    });
  }

  test('the client resumes on the other gateway with every event once, and the dead one’s lease lapses within the TTL', async () => {
    const token = await signInAt(cluster.url);
    const project = await jsonAt<{ id: string }>(cluster.url, 'POST', '/api/projects', token, { name: 'failover' }, 201);
    const received: BuildEvent[] = [];
    const open = (query: string) => {
      const ws = new WebSocket(`${cluster.wsUrl}/api/build/${project.id}?token=${token}${query}`);
      const w = buildWatcher(ws);
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (typeof m.seq === 'number') received.push(m);
      });
      return { ws, w };
    };

    /** A second build socket of the same user: its hello, or the code it was closed with. */
    const anotherSocket = () =>
      new Promise<string | number>((resolve) => {
        const ws = new WebSocket(`${cluster.wsUrl}/api/build/${project.id}?token=${token}`);
        ws.on('error', () => undefined);
        ws.once('message', (d) => {
          resolve(JSON.parse(d.toString()).type);
          ws.close();
        });
        ws.once('close', (code) => resolve(code));
      });

    const first = open('');
    await opened(first.ws);
    await first.w.until(() => first.w.messages.some((m) => (m as HelloMessage).type === 'hello'));
    first.ws.send(JSON.stringify({ type: 'start', prompt: 'A pomodoro timer with a task list' }));
    await first.w.until(() => first.w.events().some((e) => e.type === 'file-progress'), 20_000);
    assert.equal(first.w.done(), undefined, 'the build is still running when the gateway dies');
    const buildId = first.w.events()[0].buildId;

    const victim = await holderOfBuildSocket(token);
    const survivor = cluster.gateways.find((g) => g !== victim)!;
    assert.equal(await liveLeases(), 1);
    const closedFirst = new Promise<number>((r) => first.ws.once('close', (code) => r(code)));
    const killedAt = Date.now();
    const exit = await victim.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(await closedFirst, 1006, 'the kernel closed the connection: HAProxy passes that on as an abnormal close');

    // HAProxy still counts the dead gateway as up until its checks fail (4 s): what it sends there now is
    // retried on the other gateway at once (deploy/haproxy.cfg `option redispatch`), never a 503.
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${cluster.url}/healthz`, { headers: { connection: 'close' } });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200], 'requests right after the kill are answered by the survivor');

    const lastSeq = received.at(-1)!.seq;
    const again = open(`&build=${buildId}&after=${lastSeq}`);
    await opened(again.ws);
    await again.w.until(() => Boolean(again.w.done()), 40_000);
    assert.equal(again.w.done()!.status, 'succeeded');
    assert.ok((await holderOfBuildSocket(token)) === survivor, 'the reconnect went to the gateway still alive');

    const seqs = received.map((e) => e.seq);
    const record = await jsonAt<{ events: BuildEvent[]; lastSeq: number; more: boolean }>(cluster.url, 'GET', `/api/projects/${project.id}/builds/${buildId}/events?limit=1000`, token);
    assert.equal(record.more, false);
    assert.deepEqual(seqs, record.events.map((e) => e.seq), 'every stored event arrived exactly once, in order');
    assert.deepEqual(seqs, Array.from({ length: record.lastSeq }, (_, i) => i + 1));
    assert.deepEqual(received.map((e) => e.type), record.events.map((e) => e.type));

    // The survivor refreshes the lease of the socket it holds; the dead gateway's one lapses by itself.
    assert.equal(await liveLeases(), 2, 'the dead gateway’s lease still counts until it expires');
    assert.equal(await anotherSocket(), 4429, 'the user’s limit still counts the dead gateway’s socket');
    await eventually('the killed gateway’s lease expired', LEASE_TTL_MS + 3000 - (Date.now() - killedAt), async () => ((await liveLeases()) === 1 ? true : undefined));
    const lapsedAfter = Date.now() - killedAt;
    assert.ok(lapsedAfter <= LEASE_TTL_MS + 1000, `lapsed ${lapsedAfter} ms after the kill`);
    assert.equal(await anotherSocket(), 'hello', 'once it lapsed, the user may open another socket');
    again.ws.close();
  });
});

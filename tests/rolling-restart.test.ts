import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { DRAIN_BATCH_MIN, DRAIN_GAP_MS } from '../lib/upgrade/socket-registry';
import { eventually, jsonAt, signInAt, startTestCluster, type ClusterGateway, type TestCluster } from './helpers/cluster';

// A rolling restart of both gateways behind HAProxy with 200 hub sockets open (issue 13, points 3 and 5):
// SIGTERM one gateway (it stops taking upgrades, /healthz says 503, its sockets get 1001 in batches), start
// it again, wait until HAProxy sends it traffic, then the other. Every client reconnects through HAProxy
// the way the browser's hook does (a short backoff, then subscribe again with its cursor), so each must
// see 1001 (never 1006), be subscribed again within 10 s of its close, and get each event published after
// a restart exactly once.

const CLIENTS = 200;
const BACK_WITHIN_MS = 10_000;

type Msg = { type: string; topic?: string; epoch?: string; seq?: number; data?: unknown };

/** One hub client as lib/client/use-hub.ts behaves: reconnects on close and resumes from its cursor. */
function hubClient(url: string, topic: string) {
  const c = {
    ws: null as WebSocket | null,
    subscribed: false,
    stopped: false,
    cursor: null as { epoch: string; afterSeq: number } | null,
    closes: [] as { code: number; at: number; backAt?: number }[],
    failedOpens: 0,
    events: [] as Msg[],
    other: [] as Msg[],
  };
  const connect = () => {
    if (c.stopped) return;
    const ws = new WebSocket(url);
    c.ws = ws;
    let wasOpen = false;
    ws.on('open', () => {
      wasOpen = true;
      ws.send(JSON.stringify({ type: 'subscribe', topic, ...(c.cursor ?? {}) }));
    });
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Msg;
      if (m.topic !== topic) return;
      if (m.type === 'subscribed') {
        c.subscribed = true;
        c.cursor = { epoch: m.epoch!, afterSeq: m.seq! };
        const last = c.closes.at(-1);
        if (last && last.backAt === undefined) last.backAt = Date.now();
      } else if (m.type === 'event') {
        c.events.push(m);
        c.cursor = { epoch: m.epoch!, afterSeq: m.seq! };
      } else c.other.push(m);
    });
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_q, res) => {
      res.resume();
      ws.terminate();
    });
    ws.on('close', (code) => {
      c.subscribed = false;
      if (wasOpen) c.closes.push({ code, at: Date.now() });
      else c.failedOpens++;
      // The browser's backoff starts short and is jittered, so a drained batch does not come back at once.
      if (!c.stopped) setTimeout(connect, 100 + Math.random() * 300 * Math.min(4, c.failedOpens + 1));
    });
  };
  connect();
  return c;
}

// Always on Postgres and Redis: `npm test`'s second pass (the suite again on Postgres) would only repeat it.

describe('a rolling restart of both gateways with 200 hub sockets open', () => {
  let cluster: TestCluster;
  const clients: ReturnType<typeof hubClient>[] = [];

  before(async () => {
    cluster = await startTestCluster({ gateways: 2, gatewayEnv: { MAX_SOCKETS_PER_USER: '1000' } });
  });
  after(async () => {
    for (const c of clients) {
      c.stopped = true;
      c.ws?.terminate();
    }
    await cluster?.stop();
  });

  test('every client gets 1001, is back within 10 s, and gets each later event exactly once', async (t) => {
    const token = await signInAt(cluster.url);
    const project = await jsonAt<{ id: string }>(cluster.url, 'POST', '/api/projects', token, { name: 'rolling' }, 201);
    const topic = `project:${project.id}:files`;
    for (let i = 0; i < CLIENTS; i++) clients.push(hubClient(`${cluster.wsUrl}/api/events?token=${token}`, topic));
    const allSubscribed = () => (clients.every((c) => c.subscribed) ? true : undefined);
    await eventually(`all ${CLIENTS} clients subscribed`, 20_000, allSubscribed);

    let published = 0;
    const publish = async () => {
      published++;
      const n = published;
      const res = await fetch(`${cluster.url}/api/emit`, { method: 'POST', headers: { authorization: `Bearer ${cluster.emitToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic, data: { n } }) });
      assert.equal(res.status, 202, await res.text());
      await eventually(`event ${n} reached all ${CLIENTS} clients`, 10_000, () => (clients.every((c) => c.events.some((e) => (e.data as { n: number }).n === n)) ? true : undefined));
    };
    await publish();

    const openOn = async (gw: ClusterGateway) => (await jsonAt<{ sockets: { byRoute: Record<string, number> } }>(gw.url, 'GET', '/api/admin/health', token)).sockets.byRoute.events ?? 0;

    for (const gw of cluster.gateways) {
      const closesBefore = clients.reduce((n, c) => n + c.closes.length, 0);
      const closesBeforeEach = clients.map((c) => c.closes.length);
      const held = await openOn(gw);
      const exit = await gw.kill('SIGTERM');
      assert.equal(exit.code, 0, `${gw.name} stopped cleanly:\n${gw.output().slice(-2000)}`);
      const closedSince = () => clients.reduce((n, c) => n + c.closes.length, 0) - closesBefore;
      await eventually(`the ${held} clients on ${gw.name} were closed by it`, 5000, () => (closedSince() >= held ? true : undefined));
      assert.equal(closedSince(), held, `only the clients on ${gw.name} were closed`);
      if (held > DRAIN_BATCH_MIN) {
        const times = clients.flatMap((c, i) => c.closes.slice(closesBeforeEach[i]).map((x) => x.at)).sort((x, y) => x - y);
        const batches = 1 + times.filter((t, i) => i > 0 && t - times[i - 1] >= DRAIN_GAP_MS / 2).length;
        assert.ok(batches >= 2, `${gw.name} closed its ${held} sockets in batches (saw ${batches})`);
      }

      // Started again on the same port; HAProxy's health check lets it back in once it answers twice.
      await gw.start();
      await eventually(`HAProxy sends ${gw.name} traffic again`, 15_000, async () => {
        const res = await fetch(`${cluster.url}/healthz`);
        await res.body?.cancel();
        // HAProxy logs each request as it ends: the last /healthz line names who answered this one.
        const last = cluster.haproxy.output().split('\n').filter((l) => l.includes('"/healthz"')).at(-1);
        return last?.includes(` gateways/${gw.name} `) ? true : undefined;
      });
      await eventually(`all ${CLIENTS} clients subscribed again after ${gw.name}'s restart`, BACK_WITHIN_MS, allSubscribed);
      await publish();
    }

    const closes = clients.flatMap((c) => c.closes);
    assert.ok(closes.length >= CLIENTS, `every client was closed at least once (${closes.length} closes)`);
    assert.deepEqual([...new Set(closes.map((c) => c.code))], [1001], 'every close was a 1001, never a 1006');
    const slowest = Math.max(...closes.map((c) => (c.backAt ?? Infinity) - c.at));
    t.diagnostic(`${closes.length} closes, slowest back after ${slowest} ms, ${clients.reduce((n, c) => n + c.failedOpens, 0)} refused reconnects`);
    assert.ok(slowest <= BACK_WITHIN_MS, `every client was back within ${BACK_WITHIN_MS} ms of its close (slowest: ${slowest} ms)`);
    for (const c of clients) {
      assert.deepEqual(c.events.map((e) => (e.data as { n: number }).n), Array.from({ length: published }, (_, i) => i + 1), 'each event exactly once, in order');
      assert.deepEqual(c.other, [], 'no resync or error on a rolling restart');
    }
  });
});

import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

// The load client's side of the hub fan-out row: many subscribers to one topic, held open between
// measurements, and events published with POST /api/emit (as a backend publishes) timed from just before
// the request to each subscriber's receipt, all on this process's clock.

type Waiting = { left: number; started: number; latencies: number[]; gateways: number[]; done: () => void };
type Group = { sockets: WebSocket[]; waiting: Map<string, Waiting> };
const groups = new Map<string, Group>();

/** Where subscribers connect (`?token=` URLs of /api/events, spread over gateways) and to which topic. */
export type HubSubscribers = { key: string; urls: string[]; topic: string; count: number; concurrency?: number };

/** `gateway`: which of the URLs this subscriber was opened to, recorded with each of its receipts. */
function subscribe(url: string, gateway: number, topic: string, group: Group): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`no 'subscribed' for ${topic} within 20 s`))), 20_000);
    let subscribed = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topic })));
    ws.on('message', (raw: Buffer) => {
      const at = performance.now();
      if (!subscribed) {
        const m = JSON.parse(raw.toString()) as { type: string; message?: string };
        if (m.type === 'subscribed') {
          subscribed = true;
          clearTimeout(timer);
          return resolve(ws);
        }
        if (m.type === 'error') return (clearTimeout(timer), ws.close(), reject(new Error(`subscribe refused: ${m.message}`)));
        return;
      }
      // Only the marker is looked for (no JSON parse): the receipt is stamped before any other work.
      const text = raw.toString();
      const i = text.indexOf('"mark":"');
      if (i === -1) return;
      const w = group.waiting.get(text.slice(i + 8, text.indexOf('"', i + 8)));
      if (!w) return;
      w.latencies.push(at - w.started);
      w.gateways.push(gateway);
      if (--w.left === 0) w.done();
    });
    ws.on('error', (err) => (clearTimeout(timer), reject(err)));
  });
}

/** Opens `count` subscribers, round robin over `urls`, and waits until each is subscribed. */
export async function hubOpen(s: HubSubscribers): Promise<{ opened: number; seconds: number }> {
  const started = performance.now();
  const group: Group = { sockets: [], waiting: new Map() };
  groups.set(s.key, group);
  let next = 0;
  const worker = async () => {
    while (next < s.count) {
      const i = next++;
      group.sockets.push(await subscribe(s.urls[i % s.urls.length], i % s.urls.length, s.topic, group));
    }
  };
  await Promise.all(Array.from({ length: s.concurrency ?? 32 }, worker));
  return { opened: group.sockets.length, seconds: (performance.now() - started) / 1000 };
}

export type HubEmit = { key: string; emitUrl: string; emitToken: string; topic: string; events: number; gapMs?: number; timeoutMs?: number };

export type HubLatencies = {
  /** Every receipt's latency, in µs. */
  latenciesUs: number[];
  /** Beside each latency, the index (in the subscribers' `urls`) of the gateway it came through. */
  gateways: number[];
  /** Per event, the first subscriber's latency: the hop itself, without the queue of 1,000 sends behind it. */
  firstUs: number[];
  lost: number;
};

/**
 * Publishes `events` events one after another (the next once every subscriber has the last, after a short
 * gap) and returns every subscriber's latency for each.
 */
export async function hubEmit(e: HubEmit): Promise<HubLatencies> {
  const group = groups.get(e.key);
  if (!group) throw new Error(`no subscribers opened as ${e.key}`);
  const all: number[] = [];
  const gateways: number[] = [];
  const firstUs: number[] = [];
  let lost = 0;
  for (let n = 0; n < e.events; n++) {
    const mark = `${e.key}-${n}-${Math.random().toString(36).slice(2)}`;
    let done!: () => void;
    const arrived = new Promise<void>((r) => (done = r));
    const w: Waiting = { left: group.sockets.length, started: 0, latencies: [], gateways: [], done };
    group.waiting.set(mark, w);
    w.started = performance.now();
    const res = await fetch(e.emitUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${e.emitToken}` },
      body: JSON.stringify({ topic: e.topic, data: { mark, n } }),
    });
    if (res.status !== 202) throw new Error(`POST /api/emit → ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([arrived, new Promise<void>((r) => (timer = setTimeout(r, e.timeoutMs ?? 10_000)))]);
    clearTimeout(timer);
    group.waiting.delete(mark);
    lost += w.left;
    for (const l of w.latencies) all.push(l * 1000);
    gateways.push(...w.gateways);
    if (w.latencies.length) firstUs.push(Math.min(...w.latencies) * 1000);
    await new Promise((r) => setTimeout(r, e.gapMs ?? 30));
  }
  return { latenciesUs: all, gateways, firstUs, lost };
}

export async function hubClose(key: string): Promise<void> {
  const group = groups.get(key);
  groups.delete(key);
  if (!group) return;
  await Promise.all(group.sockets.map((ws) => new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : (ws.once('close', () => r()), ws.close())))));
}

import crypto from 'node:crypto';

// Topic fan-out between publishers (builds, the workspace watcher, /api/emit) and the hub: in this
// process by default, Redis Pub/Sub when gateways scale out (redis-bus.ts), behind this one interface.
//
// Every topic has an epoch and a sequence: each published event gets the next seq, and a topic's epoch
// is a random name given when its numbering (re)starts — first use, a Redis that lost its data, history
// dropped to stay within bounds. A subscriber that remembers (epoch, seq) resumes from the kept history,
// or is told `resync` when what it missed is no longer kept: never a silent skip (design.md "Scale-out").

export type Cursor = { epoch: string; seq: number };

export type BusEvent = { type: 'event'; epoch: string; seq: number; data: unknown; /** `data` as JSON, made once. */ json: string };

/** The listener missed events that cannot be replayed: it refetches its state; events after (epoch, seq) follow. */
export type BusResync = { type: 'resync'; epoch: string; seq: number };

export type BusMessage = BusEvent | BusResync;
export type BusListener = (message: BusMessage) => void;

/** Where a topic stands and what came after a cursor, or `ok: false` when that is no longer kept. */
export type Replay = { ok: true; epoch: string; seq: number; events: BusEvent[] } | { ok: false; epoch: string; seq: number };

export type BusSubscription = {
  /** Settles once events published from now on reach the listener; rejects when the bus cannot tell yet (ask again). */
  ready(): Promise<void>;
  close(): void;
};

export interface Bus {
  /** true once the event is numbered and on its way; false when it was refused (logged), never throws. */
  publish(topic: string, data: unknown): boolean | Promise<boolean>;
  /** Events of the topic, in seq order and without a hole: a hole the bus cannot fill is a `resync`. */
  subscribe(topic: string, listener: BusListener): BusSubscription;
  /** The topic's current (epoch, seq) and, given a cursor, the kept events after it. */
  since(topic: string, after?: Cursor): Replay | Promise<Replay>;
  listenerCount(topic: string): number;
  close(): Promise<void>;
}

/** Events kept per topic for resume, here and in Redis: a reconnect within seconds finds them. */
export const HISTORY_PER_TOPIC = 500;
const MAX_HISTORY_BYTES_PER_TOPIC = 1024 * 1024;
/** All topics' history together, in this process; past it the least recently published topics lose theirs. */
const MAX_HISTORY_BYTES = 64 * 1024 * 1024;

export const newEpoch = () => crypto.randomBytes(9).toString('base64url');

type TopicState = { epoch: string; seq: number; history: BusEvent[]; bytes: number; listeners: Set<BusListener> };

export function createMemoryBus(opts: { historyPerTopic?: number } = {}): Bus {
  const keep = opts.historyPerTopic ?? HISTORY_PER_TOPIC;
  // Insertion order is recency of publishing (a publish moves its topic to the end).
  const topics = new Map<string, TopicState>();
  let totalBytes = 0;

  const stateOf = (topic: string) => {
    let s = topics.get(topic);
    if (!s) topics.set(topic, (s = { epoch: newEpoch(), seq: 0, history: [], bytes: 0, listeners: new Set() }));
    return s;
  };
  const forget = (topic: string, s: TopicState) => {
    totalBytes -= s.bytes;
    s.history = [];
    s.bytes = 0;
    // A topic nobody listens to and nothing is kept for starts a new epoch when it is used again.
    if (s.listeners.size === 0) topics.delete(topic);
  };

  return {
    publish(topic, data) {
      let json: string;
      try {
        json = JSON.stringify(data) ?? 'null';
      } catch {
        return false;
      }
      const s = stateOf(topic);
      topics.delete(topic);
      topics.set(topic, s);
      const event: BusEvent = { type: 'event', epoch: s.epoch, seq: ++s.seq, data, json };
      s.history.push(event);
      s.bytes += json.length;
      totalBytes += json.length;
      while (s.history.length > keep || (s.bytes > MAX_HISTORY_BYTES_PER_TOPIC && s.history.length > 1)) {
        const dropped = s.history.shift()!;
        s.bytes -= dropped.json.length;
        totalBytes -= dropped.json.length;
      }
      for (const [t, other] of topics) {
        if (totalBytes <= MAX_HISTORY_BYTES || other === s) break;
        forget(t, other);
      }
      for (const l of s.listeners) l(event);
      return true;
    },
    subscribe(topic, listener) {
      const s = stateOf(topic);
      s.listeners.add(listener);
      return {
        ready: () => Promise.resolve(),
        close() {
          s.listeners.delete(listener);
          if (s.listeners.size === 0 && s.history.length === 0 && topics.get(topic) === s) topics.delete(topic);
        },
      };
    },
    since(topic, after) {
      const s = stateOf(topic);
      return replayFrom(s.epoch, s.seq, after, s.history);
    },
    listenerCount(topic) {
      return topics.get(topic)?.listeners.size ?? 0;
    },
    async close() {
      topics.clear();
      totalBytes = 0;
    },
  };
}

/** The events after `after` when the kept history (ascending seq, ending at `seq`) still has all of them. */
export function replayFrom(epoch: string, seq: number, after: Cursor | undefined, history: readonly BusEvent[]): Replay {
  if (!after) return { ok: true, epoch, seq, events: [] };
  if (after.epoch !== epoch || after.seq > seq) return { ok: false, epoch, seq };
  const missing = seq - after.seq;
  if (missing > history.length) return { ok: false, epoch, seq };
  return { ok: true, epoch, seq, events: history.slice(history.length - missing) };
}

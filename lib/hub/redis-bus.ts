import type { Logger } from '../observability/logger';
import { REDIS_COMMAND_TIMEOUT_MS, type RedisClient, type RedisConnection } from '../redis/connection';
import { redisScript, type RedisReply } from '../redis/script';
import { HISTORY_PER_TOPIC, newEpoch, type Bus, type BusEvent, type BusListener, type BusMessage, type Cursor, type Replay } from './bus';

// The hub's bus over Redis (design.md "Scale-out"): what one gateway publishes reaches the hub of every
// gateway. Per topic, Redis keeps a hash {epoch, seq} and a capped Stream of the last events (entry id =
// seq); one script numbers an event, appends it and PUBLISHes it, so the order on the channel is the
// order of the numbers. Each gateway SUBSCRIBEs once per topic while a local listener exists, and hands
// its listeners the events without a hole: a jump in seq is filled from the Stream, and after a lost
// connection the topic is caught up from there; what the Stream no longer has (trimmed, or a Redis that
// restarted and lost it: a new epoch) is a `resync`.

const PREFIX = 'portico:hub:';
/** A topic nobody published to for a day loses its numbering and history (a new epoch next time). */
const IDLE_TTL_MS = 24 * 3600 * 1000;
/**
 * A publish that reaches Redis later than this (by Redis's clock) is dropped by the script: the caller
 * stops waiting at REDIS_COMMAND_TIMEOUT_MS and answers 503, so a refused event must not go out after.
 * The 500 ms between the two cover the answer's way back and clocks a little apart.
 */
const PUBLISH_DEADLINE_MS = REDIS_COMMAND_TIMEOUT_MS - 500;

/** How long a catch-up after a reconnect waits for the command connection to be back too. */
const CATCH_UP_WAIT_MS = 5000;

const keys = (topic: string) => [`${PREFIX}{${topic}}:meta`, `${PREFIX}{${topic}}:log`];
const channelOf = (topic: string) => `${PREFIX}${topic}`;

// Ensures the topic has an epoch (a missing hash means its numbering restarts: the Stream goes too).
const ENSURE_EPOCH = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

// ARGV: new epoch, ttl, channel, data (JSON), history length, deadline (ms since the epoch, server clock).
const publishScript = redisScript(`
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[6]) then return false end
${ENSURE_EPOCH}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], seq .. '-0', 'd', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[3], epoch .. ' ' .. seq .. ' ' .. ARGV[4])
return seq
`);

// ARGV: new epoch, ttl, cursor epoch ('' = none), cursor seq, most events to replay.
// Answers {epoch, seq, 'ok', data…} with the events after the cursor, or {epoch, seq, 'resync'}.
const sinceScript = redisScript(`
${ENSURE_EPOCH}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
if ARGV[3] == '' then return {epoch, seq, 'ok'} end
local after = tonumber(ARGV[4])
if ARGV[3] ~= epoch or after > seq or seq - after > tonumber(ARGV[5]) then return {epoch, seq, 'resync'} end
local out = {epoch, seq, 'ok'}
if after == seq then return out end
local first = (after + 1) .. '-0'
local entries = redis.call('XRANGE', KEYS[2], first, '+', 'COUNT', seq - after)
if #entries ~= seq - after or entries[1][1] ~= first then return {epoch, seq, 'resync'} end
for _, e in ipairs(entries) do out[#out + 1] = e[2][2] end
return out
`);

type TopicState = {
  listeners: Set<BusListener>;
  /** The last (epoch, seq) handed to the listeners; null until the first answer from Redis. */
  cursor: Cursor | null;
  /** SUBSCRIBE confirmed. */
  subscribed: Promise<void>;
  /** Messages are handled one after another (a gap is filled before the next message is looked at). */
  chain: Promise<void>;
  onRaw: (raw: string) => void;
};

/** `subscriber`: the connection's Pub/Sub client (`await redis.subscriber()`), already connected. */
export function createRedisBus(redis: RedisConnection, opts: { subscriber: RedisClient; logger: Logger; historyPerTopic?: number }): Bus {
  const keep = opts.historyPerTopic ?? HISTORY_PER_TOPIC;
  const topics = new Map<string, TopicState>();
  /** Channels whose UNSUBSCRIBE is on its way. */
  const leaving = new Map<string, Promise<void>>();
  const { logger } = opts;
  let lastRefusalLog = 0;
  const { subscriber } = opts;

  // node-redis subscribes a reconnected connection to its channels again before it says 'ready' (and the
  // first 'ready' came before this listener); whatever was published meanwhile is caught up from the Streams.
  const onReconnect = () => {
    for (const [topic, state] of topics) enqueue(topic, state, () => catchUp(topic, state));
  };
  subscriber.on('ready', onReconnect);

  function commandsReady(ms: number): Promise<void> {
    if (redis.client.isReady) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => (clearTimeout(timer), redis.client.off('ready', done), resolve());
      const timer = setTimeout(done, ms);
      redis.client.on('ready', done);
    });
  }

  async function since(topic: string, after?: Cursor): Promise<Replay> {
    const reply = (await sinceScript(redis.client, keys(topic), [newEpoch(), IDLE_TTL_MS, after?.epoch ?? '', after?.seq ?? 0, keep])) as RedisReply[];
    const epoch = String(reply[0]);
    const seq = Number(reply[1]);
    if (reply[2] !== 'ok') return { ok: false, epoch, seq };
    const data = reply.slice(3).map(String);
    const first = seq - data.length + 1;
    return { ok: true, epoch, seq, events: data.map((json, i) => event(epoch, first + i, json)) };
  }

  function emit(state: TopicState, m: BusMessage) {
    state.cursor = { epoch: m.epoch, seq: m.seq };
    for (const l of state.listeners) {
      try {
        l(m);
      } catch (err) {
        logger.error({ event: 'bus_listener_failed', err: (err as Error).message }, 'A bus listener threw');
      }
    }
  }

  function enqueue(topic: string, state: TopicState, step: () => Promise<void> | void) {
    state.chain = state.chain.then(step).catch((err) => {
      logger.warn({ event: 'bus_catch_up_failed', topic, err: (err as Error).message }, 'Could not read a topic\'s history from Redis');
    });
  }

  /** What the listeners missed after their cursor: replayed from the Stream, or a resync. */
  async function catchUp(topic: string, state: TopicState, until?: BusEvent) {
    if (!state.cursor) return;
    let r: Replay;
    try {
      // After an outage the subscriber is often back before the command connection is.
      await commandsReady(CATCH_UP_WAIT_MS);
      r = await since(topic, state.cursor);
    } catch {
      // Redis cannot say what was missed: the listeners refetch, and carry on from the message at hand.
      const at = until ?? state.cursor;
      return emit(state, { type: 'resync', epoch: at.epoch, seq: at.seq });
    }
    if (!r.ok) return emit(state, { type: 'resync', epoch: r.epoch, seq: r.seq });
    for (const e of r.events) emit(state, e);
  }

  function onMessage(topic: string, state: TopicState, raw: string) {
    const a = raw.indexOf(' ');
    const b = raw.indexOf(' ', a + 1);
    if (a < 0 || b < 0) return;
    const m = event(raw.slice(0, a), Number(raw.slice(a + 1, b)), raw.slice(b + 1));
    enqueue(topic, state, async () => {
      const at = state.cursor;
      if (at && at.epoch === m.epoch && m.seq <= at.seq) return;
      if (!at || (at.epoch === m.epoch && m.seq === at.seq + 1)) return emit(state, m);
      await catchUp(topic, state, m);
      const now = state.cursor!;
      if (now.epoch === m.epoch && m.seq > now.seq) emit(state, m);
    });
  }

  return {
    async publish(topic, data) {
      try {
        const json = JSON.stringify(data) ?? 'null';
        const seq = await publishScript(redis.client, keys(topic), [newEpoch(), IDLE_TTL_MS, channelOf(topic), json, keep, Date.now() + PUBLISH_DEADLINE_MS]);
        if (seq === null) throw new Error('Redis answered after the deadline');
        return true;
      } catch (err) {
        // One line per ten seconds of an outage, not one per event.
        if (Date.now() - lastRefusalLog > 10_000) {
          lastRefusalLog = Date.now();
          logger.warn({ event: 'bus_publish_refused', topic, redis: redis.where, err: (err as Error).message }, 'An event could not be published: Redis is unavailable');
        }
        return false;
      }
    },

    subscribe(topic, listener) {
      let state = topics.get(topic);
      if (!state) {
        const s: TopicState = { listeners: new Set(), cursor: null, subscribed: null!, chain: Promise.resolve(), onRaw: (raw) => onMessage(topic, s, raw) };
        // While Redis is away the SUBSCRIBE waits in node-redis's queue of this connection and goes out on
        // reconnect; the hub gives up waiting first (1013) and asks again on the next subscribe. A topic
        // given up a moment ago is subscribed again only once its UNSUBSCRIBE is through: node-redis
        // forgets a channel's listeners when that answer comes, whoever subscribed in between.
        const channel = channelOf(topic);
        s.subscribed = (leaving.get(channel) ?? Promise.resolve()).then(() => subscriber.subscribe(channel, s.onRaw));
        s.subscribed.catch(() => undefined);
        topics.set(topic, (state = s));
      }
      const s = state;
      s.listeners.add(listener);
      return {
        // Ready once SUBSCRIBE is confirmed and the topic's position is known, so a later jump is a gap.
        async ready() {
          await s.subscribed;
          if (s.cursor) return;
          const head = await since(topic);
          enqueue(topic, s, () => {
            s.cursor ??= { epoch: head.epoch, seq: head.seq };
          });
          await s.chain;
        },
        close() {
          s.listeners.delete(listener);
          if (s.listeners.size > 0 || topics.get(topic) !== s) return;
          topics.delete(topic);
          const channel = channelOf(topic);
          const done: Promise<void> = s.subscribed
            .then(() => subscriber.unsubscribe(channel, s.onRaw))
            .catch(() => undefined)
            .finally(() => leaving.get(channel) === done && leaving.delete(channel));
          leaving.set(channel, done);
        },
      };
    },

    since,

    listenerCount(topic) {
      return topics.get(topic)?.listeners.size ?? 0;
    },

    async close() {
      subscriber.off('ready', onReconnect);
      const channels = [...topics.keys()].map(channelOf);
      topics.clear();
      if (channels.length) await subscriber.unsubscribe(channels).catch(() => undefined);
    },
  };
}

function event(epoch: string, seq: number, json: string): BusEvent {
  let data: unknown = null;
  try {
    data = JSON.parse(json);
  } catch {
    // Only this code writes the channel; a message that is not JSON is delivered as null.
  }
  return { type: 'event', epoch, seq, data, json };
}

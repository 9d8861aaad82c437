import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { keepAlive } from '../net/heartbeat';
import { HUB_PEER_LIMIT_BYTES, answerPings, sendWithinLimit } from '../net/peer-bound';
import { closeReason } from '../net/ws-frames';
import { refusal, type Refusal } from '../errors/reasons';
import type { HubServerMessage } from '../protocol/hub';
import type { TokenClaims } from '../auth/tokens';
import type { Bus, BusMessage, BusSubscription, Cursor, Replay } from './bus';
import { parseTopic, type Topic } from '../protocol/topics';

// The in-process end of `/api/events`: one socket, many topics. Each subscribe is authorised on its own;
// a refused topic gets an `error` message and the socket stays open.

export type TopicDecision = { ok: true } | ({ ok: false } & Refusal);
export type AuthoriseTopic = (user: TokenClaims, topic: Topic) => Promise<TopicDecision>;

/** Whether one subscriber may see one event of a topic it may subscribe to (e.g. only its own sessions). */
export type EventVisibility = (user: TokenClaims, topic: string, data: unknown) => boolean;

export type HubConnection = { close(code: number, reason: string): Promise<void>; done: Promise<void> };

const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_TOPICS_PER_SOCKET = 256;
/** How long a subscribe waits for the bus (Redis) before it is refused with 1013; the socket stays open. */
const READY_TIMEOUT_MS = 5000;
/** Events held for one socket while its replay is read; a topic busier than this in that time is a resync. */
const MAX_PENDING_PER_SOCKET = 1000;

type Member = { user: TokenClaims; pending: BusMessage[] | null; overflow: boolean };
type Fanout = { subscription: BusSubscription; sockets: Map<WebSocket, Member>; /** The last (epoch, seq) this gateway saw. */ cursor: Cursor | null };

export function createEventHub(deps: { bus: Bus; authoriseTopic: AuthoriseTopic; heartbeatMs: number; canSee?: EventVisibility; readyTimeoutMs?: number }) {
  // autoPong off: pongs are answered by answerPings, only to a peer that is reading (lib/net/peer-bound.ts).
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, autoPong: false });
  const readyTimeoutMs = deps.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const fanouts = new Map<string, Fanout>();

  // One frame for everyone who may see it. Seq and epoch come from the bus, so they are the same on every
  // gateway: a subscriber that is not shown some events sees gaps, never a reordering.
  const frameOf = (topic: string, m: BusMessage) =>
    m.type === 'event'
      ? `{"type":"event","topic":${JSON.stringify(topic)},"epoch":${JSON.stringify(m.epoch)},"seq":${m.seq},"data":${m.json}}`
      : JSON.stringify({ type: 'resync', topic, epoch: m.epoch, seq: m.seq } satisfies HubServerMessage);

  function deliver(topic: string, s: WebSocket, member: Member, m: BusMessage, frame: string) {
    if (s.readyState !== WebSocket.OPEN) return;
    if (m.type === 'event' && !(deps.canSee?.(member.user, topic, m.data) ?? true)) return;
    // A subscriber that stopped reading is dropped (1013) once it owes more than the bound, rather than
    // every event it misses piling up in this process.
    sendWithinLimit(s, frame, HUB_PEER_LIMIT_BYTES);
  }

  function addSubscriber(topic: string, ws: WebSocket, user: TokenClaims): { fanout: Fanout; member: Member } {
    let f = fanouts.get(topic);
    if (!f) {
      const sockets = new Map<WebSocket, Member>();
      const fanout: Fanout = { sockets, cursor: null, subscription: null! };
      fanout.subscription = deps.bus.subscribe(topic, (m) => {
        fanout.cursor = { epoch: m.epoch, seq: m.seq };
        const frame = frameOf(topic, m);
        for (const [s, member] of sockets) {
          if (!member.pending) deliver(topic, s, member, m, frame);
          // Still being replayed to: kept for after the replay, within a bound (past it, a resync).
          else if (member.pending.length < MAX_PENDING_PER_SOCKET) member.pending.push(m);
          else member.overflow = true;
        }
      });
      f = fanout;
      fanouts.set(topic, f);
    }
    const member: Member = { user, pending: [], overflow: false };
    f.sockets.set(ws, member);
    return { fanout: f, member };
  }

  function removeSubscriber(topic: string, ws: WebSocket) {
    const f = fanouts.get(topic);
    if (!f) return;
    f.sockets.delete(ws);
    if (f.sockets.size === 0) {
      f.subscription.close();
      fanouts.delete(topic);
    }
  }

  /**
   * Makes one socket live on a topic: waits until the bus delivers, asks it where the topic stands (and for
   * what came after the client's cursor), answers `subscribed` + the missed events or `resync`, then
   * sends what arrived meanwhile without repeating what the replay covered.
   */
  async function join(topic: string, ws: WebSocket, user: TokenClaims, after: Cursor | undefined, send: (m: HubServerMessage) => void): Promise<boolean> {
    const { fanout, member } = addSubscriber(topic, ws, user);
    let replay: Replay;
    try {
      replay = await withTimeout(fanout.subscription.ready().then(() => deps.bus.since(topic, after)), readyTimeoutMs);
    } catch {
      if (fanout.sockets.get(ws) === member) removeSubscriber(topic, ws);
      return false;
    }
    if (fanout.sockets.get(ws) !== member || ws.readyState !== WebSocket.OPEN) return true;
    let at: Cursor = { epoch: replay.epoch, seq: replay.seq };
    if (!replay.ok) send({ type: 'resync', topic, epoch: replay.epoch, seq: replay.seq });
    else {
      send({ type: 'subscribed', topic, epoch: replay.epoch, seq: after ? after.seq : replay.seq });
      for (const e of replay.events) deliver(topic, ws, member, e, frameOf(topic, e));
    }
    fanout.cursor ??= at;
    const pending = member.pending ?? [];
    member.pending = null;
    if (member.overflow) {
      const last = pending[pending.length - 1] ?? at;
      send({ type: 'resync', topic, epoch: last.epoch, seq: last.seq });
      return true;
    }
    for (const m of pending) {
      if (m.type === 'event' && m.epoch === at.epoch && m.seq <= at.seq) continue;
      at = { epoch: m.epoch, seq: m.seq };
      deliver(topic, ws, member, m, frameOf(topic, m));
    }
    return true;
  }

  /** Completes the handshake; null when the client left or its handshake was invalid (ws answered 400). */
  function accept(req: IncomingMessage, socket: Duplex, head: Buffer, user: TokenClaims): Promise<HubConnection | null> {
    return new Promise((resolve) => {
      const onEarlyClose = () => resolve(null);
      socket.once('close', onEarlyClose);
      wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('close', onEarlyClose);
        const topics = new Set<string>();
        const done = new Promise<void>((r) => ws.once('close', () => r()));
        const send = (msg: HubServerMessage) => sendWithinLimit(ws, JSON.stringify(msg), HUB_PEER_LIMIT_BYTES);
        // The hub names the refusal; its sentence comes from lib/errors/reasons.ts.
        const fail = (topic: unknown, { code, reason, message }: Refusal) =>
          send({ type: 'error', ...(typeof topic === 'string' ? { topic } : {}), code, reason, message });

        keepAlive(ws, deps.heartbeatMs);
        answerPings(ws, HUB_PEER_LIMIT_BYTES);
        ws.on('error', () => undefined);
        ws.once('close', () => {
          for (const t of topics) removeSubscriber(t, ws);
          topics.clear();
        });

        ws.on('message', async (raw, isBinary) => {
          const msg = isBinary ? null : parseJson(raw.toString());
          if (!msg || typeof msg !== 'object') return fail(undefined, refusal('not_json'));
          const { type, topic } = msg as { type?: unknown; topic?: unknown };
          if (type !== 'subscribe' && type !== 'unsubscribe') {
            return fail(topic, refusal('unknown_hub_message'));
          }
          const parsed = parseTopic(topic);
          if (!parsed) return fail(topic, refusal('unknown_topic'));
          const name = topic as string;
          if (type === 'unsubscribe') {
            topics.delete(name);
            removeSubscriber(name, ws);
            return send({ type: 'unsubscribed', topic: name });
          }
          if (topics.has(name)) {
            // Already live: where the topic stands. Still joining: that join answers.
            const f = fanouts.get(name);
            if (f?.cursor && !f.sockets.get(ws)?.pending) send({ type: 'subscribed', topic: name, epoch: f.cursor.epoch, seq: f.cursor.seq });
            return;
          }
          if (topics.size >= MAX_TOPICS_PER_SOCKET) return fail(name, refusal('too_many_topics'));
          const decision = await deps.authoriseTopic(user, parsed).catch(
            (): TopicDecision => ({ ok: false, ...refusal('internal') }),
          );
          if (!decision.ok) return fail(name, decision);
          if (ws.readyState !== WebSocket.OPEN) return;
          topics.add(name);
          if (!(await join(name, ws, user, cursorOf(msg), send))) {
            topics.delete(name);
            fail(name, refusal('hub_unavailable'));
          }
        });

        resolve({
          done,
          close(code, reason) {
            if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
            ws.close(code, closeReason(reason));
            const t = setTimeout(() => ws.terminate(), 1000);
            return done.finally(() => clearTimeout(t));
          },
        });
      });
    });
  }

  return {
    accept,
    subscriberCount(topic: string) {
      return fanouts.get(topic)?.sockets.size ?? 0;
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;

/** A subscribe's resume point, when it names a well-formed one. */
function cursorOf(msg: object): Cursor | undefined {
  const { epoch, afterSeq } = msg as { epoch?: unknown; afterSeq?: unknown };
  if (typeof epoch !== 'string' || epoch.length === 0 || epoch.length > 64) return undefined;
  if (typeof afterSeq !== 'number' || !Number.isSafeInteger(afterSeq) || afterSeq < 0) return undefined;
  return { epoch, seq: afterSeq };
}

function withTimeout<T>(p: Promise<T> | T, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([Promise.resolve(p), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]).finally(() => clearTimeout(timer));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

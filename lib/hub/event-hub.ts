import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { keepAlive } from '../net/heartbeat';
import { HUB_PEER_LIMIT_BYTES, answerPings, sendWithinLimit } from '../net/peer-bound';
import { closeReason } from '../net/ws-frames';
import { refusal, type Refusal } from '../errors/reasons';
import type { HubServerMessage } from '../protocol/hub';
import type { TokenClaims } from '../auth/tokens';
import type { Bus } from './bus';
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

export function createEventHub(deps: { bus: Bus; authoriseTopic: AuthoriseTopic; heartbeatMs: number; canSee?: EventVisibility }) {
  // autoPong off: pongs are answered by answerPings, only to a peer that is reading (lib/net/peer-bound.ts).
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, autoPong: false });
  const seqs = new Map<string, number>();
  // Sequence numbers are per topic and shared by every subscriber, so a client can tell a gap.
  const nextSeq = (topic: string) => {
    const n = (seqs.get(topic) ?? 0) + 1;
    seqs.set(topic, n);
    return n;
  };
  const fanouts = new Map<string, { unsubscribe: () => void; sockets: Map<WebSocket, TokenClaims> }>();

  function addSubscriber(topic: string, ws: WebSocket, user: TokenClaims) {
    let f = fanouts.get(topic);
    if (!f) {
      const sockets = new Map<WebSocket, TokenClaims>();
      const unsubscribe = deps.bus.subscribe(topic, (data) => {
        // One frame for everyone who may see it; seq counts every event of the topic, so a subscriber
        // that is not shown some of them sees gaps, not a reordering.
        const frame = JSON.stringify({ type: 'event', topic, seq: nextSeq(topic), data });
        // A subscriber that stopped reading is dropped (1013) once it owes more than the bound, rather
        // than every event it misses piling up in this process.
        for (const [s, who] of sockets) if (s.readyState === WebSocket.OPEN && (deps.canSee?.(who, topic, data) ?? true)) sendWithinLimit(s, frame, HUB_PEER_LIMIT_BYTES);
      });
      f = { unsubscribe, sockets };
      fanouts.set(topic, f);
    }
    f.sockets.set(ws, user);
  }

  function removeSubscriber(topic: string, ws: WebSocket) {
    const f = fanouts.get(topic);
    if (!f) return;
    f.sockets.delete(ws);
    if (f.sockets.size === 0) {
      f.unsubscribe();
      fanouts.delete(topic);
    }
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
          if (topics.has(name)) return send({ type: 'subscribed', topic: name, seq: seqs.get(name) ?? 0 });
          if (topics.size >= MAX_TOPICS_PER_SOCKET) return fail(name, refusal('too_many_topics'));
          const decision = await deps.authoriseTopic(user, parsed).catch(
            (): TopicDecision => ({ ok: false, ...refusal('internal') }),
          );
          if (!decision.ok) return fail(name, decision);
          if (ws.readyState !== WebSocket.OPEN) return;
          topics.add(name);
          addSubscriber(name, ws, user);
          send({ type: 'subscribed', topic: name, seq: seqs.get(name) ?? 0 });
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

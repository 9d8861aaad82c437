import { WebSocket } from 'ws';
import { CLOSE } from '../errors/close-codes';
import { closeReason } from './ws-frames';

// What a peer may owe us: the bytes queued for it that it has not read (ws's bufferedAmount — the
// socket's write queue plus what ws holds back). A peer that stops reading would otherwise make every
// write the server does (events, and pongs: `ws` answers every ping by itself, reading or not) grow
// the server's memory without end. Past the bound the peer is closed with 1013 and a reason that says
// so, and cut off after a short grace, since a close frame queued behind a full buffer never arrives.

/** The hub's bound: a live view, not a log — a reader that falls a megabyte behind resubscribes. */
export const HUB_PEER_LIMIT_BYTES = 1024 * 1024;
// Long enough for a peer that starts reading again to get the close frame behind what it owes.
const GRACE_MS = 2000;

/** True when the peer owes more than `limit` bytes; it is then closed (1013) and terminated after a grace. */
export function overLimit(ws: WebSocket, limit: number): boolean {
  if (ws.bufferedAmount <= limit) return false;
  dropSlowPeer(ws, limit);
  return true;
}

const dropping = new WeakSet<WebSocket>();

export function dropSlowPeer(ws: WebSocket, limit: number): void {
  if (ws.readyState === WebSocket.CLOSED || dropping.has(ws)) return;
  dropping.add(ws);
  if (ws.readyState === WebSocket.OPEN) ws.close(CLOSE.TRY_AGAIN_LATER, closeReason(`peer not reading: owes more than ${limit} bytes`));
  setTimeout(() => ws.terminate(), GRACE_MS).unref();
}

/** Sends unless the peer already owes more than `limit` bytes, in which case it is dropped instead. */
export function sendWithinLimit(ws: WebSocket, data: string | Buffer, limit: number): boolean {
  if (ws.readyState !== WebSocket.OPEN || overLimit(ws, limit)) return false;
  ws.send(data);
  return true;
}

/**
 * Answers pings by hand, for servers created with `autoPong: false`: a pong goes out only while the peer
 * owes less than `limit`, so a ping flood from a peer that never reads closes it instead of filling memory.
 */
export function answerPings(ws: WebSocket, limit: number): void {
  ws.on('ping', (data: Buffer) => {
    if (ws.readyState !== WebSocket.OPEN || overLimit(ws, limit)) return;
    ws.pong(data);
  });
}

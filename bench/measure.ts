import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocket, type ClientOptions } from 'ws';

// The four measurements, as the load client runs them against one endpoint. Every payload is echoed
// back, so each measurement counts bytes coming back rather than messages: on the VM path the TCP echo
// server may return a 64 KiB message in several pieces, which the bridge / websockify frame as they come.

export type Endpoint = {
  url: string;
  protocols?: string[];
  /** Mask frames with a random key, as browsers do; otherwise an all-zero key (see below). */
  randomMasks?: boolean;
  /** Bytes the server sends before anything is echoed (an RFB greeting); open() waits for them and drops them. */
  greeting?: number;
  /** Open each socket with a fresh single-use ticket (`?ticket=`) minted by the gateway for it, as a browser does. */
  ticket?: TicketSource;
};

/** Where tickets are minted, with which sign-in, for which socket path. */
export type TicketSource = { mintUrl: string; bearer: string; path: string };

// Tickets are minted ahead of a measurement (each one is a POST /api/socket-tickets) and spent one per
// socket, so the upgrades measured are what a browser's reconnect costs the gateway at the upgrade, with
// the minting, a request of its own, kept out of the window. Each lives 30 s; a pool older than this is
// thrown away rather than spent.
const TICKET_POOL_MAX_AGE_MS = 20_000;
const pools = new Map<string, { tickets: string[]; mintedAt: number }>();
const poolOf = (t: TicketSource) => {
  const key = `${t.mintUrl} ${t.path}`;
  let pool = pools.get(key);
  if (!pool || Date.now() - pool.mintedAt > TICKET_POOL_MAX_AGE_MS) pools.set(key, (pool = { tickets: [], mintedAt: Date.now() }));
  return pool;
};

async function mintTicket(t: TicketSource): Promise<string> {
  const res = await fetch(t.mintUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.bearer}` },
    body: JSON.stringify({ path: t.path }),
  });
  const json = (await res.json()) as { ticket?: string };
  if (!res.ok || !json.ticket) throw new Error(`minting a ticket: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json.ticket;
}

/** Mints `count` tickets for `ep` ahead of a measurement (a few requests at once). */
export async function stockTickets(ep: Endpoint, count: number): Promise<void> {
  if (!ep.ticket) return;
  pools.delete(`${ep.ticket.mintUrl} ${ep.ticket.path}`);
  const pool = poolOf(ep.ticket);
  let left = count;
  const worker = async () => {
    while (left-- > 0) pool.tickets.push(await mintTicket(ep.ticket!));
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The URL to open: with a ticket from the pool (or one minted now) when the endpoint takes tickets. */
async function urlOf(ep: Endpoint): Promise<string> {
  if (!ep.ticket) return ep.url;
  const ticket = poolOf(ep.ticket).tickets.pop() ?? (await mintTicket(ep.ticket));
  return `${ep.url}${ep.url.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket)}`;
}

// Masking costs the client (one core for all the load) an XOR of every byte it sends. On the build path
// nothing between the client and the echo server looks inside a frame, so the client uses an all-zero
// masking key (RFC 6455 allows any key), which `ws` skips on both ends, the same for every target. On the
// VM path the bridge and websockify unmask every frame themselves, so there the client masks with a
// random key as a browser does, but frames each payload once and sends those bytes again and again.
const CLIENT: ClientOptions = { perMessageDeflate: false, skipUTF8Validation: true, generateMask: (mask) => void mask.fill(0) };

/** A function that sends `payload` as one binary message on `ws`. */
function sender(ws: WebSocket, ep: Endpoint, payload: Buffer): () => void {
  if (!ep.randomMasks) return () => ws.send(payload, { binary: true });
  const frame = maskedFrame(payload);
  const socket = (ws as unknown as { _socket: Duplex })._socket;
  return () => void socket.write(frame);
}

/** A client → server binary frame (RFC 6455 5.2) with a random masking key. */
export function maskedFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + lengthBytes + 4 + n);
  frame[0] = 0x82;
  if (lengthBytes === 0) frame[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  const mask = randomBytes(4);
  const at = 2 + lengthBytes;
  mask.copy(frame, at);
  for (let i = 0; i < n; i++) frame[at + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export async function open(ep: Endpoint): Promise<WebSocket> {
  const url = await urlOf(ep);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ep.protocols ?? [], CLIENT);
    let owed = ep.greeting ?? 0;
    const onGreeting = (d: Buffer) => {
      owed -= d.length;
      if (owed > 0) return;
      ws.off('message', onGreeting);
      resolve(ws);
    };
    if (owed > 0) ws.on('message', onGreeting);
    else ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('close', (code, reason) => reject(new Error(`closed before open: ${code} ${reason}`)));
  });
}

function closeQuietly(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.on('error', () => undefined);
    ws.terminate();
  });
}

/** Counts echoed bytes and wakes whoever waits for a total. */
function echoCounter(ws: WebSocket) {
  let received = 0;
  let wanted = Infinity;
  let wake: (() => void) | null = null;
  ws.on('message', (data: Buffer) => {
    received += data.length;
    if (wake && received >= wanted) {
      const w = wake;
      wake = null;
      w();
    }
  });
  return {
    get received() {
      return received;
    },
    until(total: number): Promise<void> {
      if (received >= total) return Promise.resolve();
      wanted = total;
      return new Promise((r) => (wake = r));
    },
  };
}

/** One message in flight: send `size` bytes, wait until they are all back, repeat; each round trip in µs. */
export async function roundTrip(ep: Endpoint, o: { size: number; warmup: number; count: number }): Promise<number[]> {
  const ws = await open(ep);
  const echo = echoCounter(ws);
  const send = sender(ws, ep, Buffer.alloc(o.size, 0x61));
  let sent = 0;
  const once = () => {
    sent += o.size;
    send();
    return echo.until(sent);
  };
  for (let i = 0; i < o.warmup; i++) await once();
  const samples: number[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  await closeQuietly(ws);
  return samples;
}

export type Throughput = { mbPerS: number; seconds: number };

/** Keeps `inFlight` messages of `size` bytes outstanding; MB/s (10^6 bytes) echoed back in the window. */
export async function throughput(ep: Endpoint, o: { size: number; inFlight: number; warmupMs: number; durationMs: number }): Promise<Throughput> {
  const ws = await open(ep);
  const echo = echoCounter(ws);
  const send = sender(ws, ep, Buffer.alloc(o.size, 0x62));
  const window = o.size * o.inFlight;
  let sent = 0;
  const pump = () => {
    while (sent - echo.received <= window - o.size) {
      send();
      sent += o.size;
    }
  };
  ws.on('message', pump);
  pump();
  await sleep(o.warmupMs);
  const b0 = echo.received;
  const t0 = nowMs();
  await sleep(o.durationMs);
  const b1 = echo.received;
  const seconds = (nowMs() - t0) / 1000;
  ws.off('message', pump);
  await closeQuietly(ws);
  return { mbPerS: (b1 - b0) / seconds / 1e6, seconds };
}

export type Upgrades = { perS: number; failed: number; firstError?: string; /** With `total`: every cycle completed, warm-up and wind-down included. */ completed?: number };

/** `concurrency` loops of open → close (with the closing handshake); completed cycles per second. */
export async function upgrades(ep: Endpoint, o: { concurrency: number; warmupMs: number; durationMs: number; tickets?: number; total?: boolean }): Promise<Upgrades> {
  if (ep.ticket && o.tickets) await stockTickets(ep, o.tickets);
  let stop = false;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const cycle = async () => {
    const ws = await open(ep);
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
    });
  };
  const loop = async () => {
    while (!stop) {
      try {
        await cycle();
        completed++;
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
        await sleep(10);
      }
    }
  };
  const loops = Array.from({ length: o.concurrency }, loop);
  await sleep(o.warmupMs);
  const c0 = completed;
  const f0 = failed;
  const t0 = nowMs();
  await sleep(o.durationMs);
  const c1 = completed;
  const seconds = (nowMs() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  return { perS: (c1 - c0) / seconds, failed: failed - f0, firstError, ...(o.total ? { completed } : {}) };
}

// Idle sockets stay open between openIdle() and closeIdle() while the orchestrator reads memory.
let idle: WebSocket[] = [];

export async function openIdle(ep: Endpoint, o: { count: number; concurrency: number }): Promise<{ opened: number; seconds: number }> {
  const t0 = nowMs();
  let next = 0;
  const worker = async () => {
    while (next < o.count) {
      next++;
      idle.push(await open(ep));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { opened: idle.length, seconds: (nowMs() - t0) / 1000 };
}

export async function closeIdle(): Promise<{ closed: number }> {
  const all = idle;
  idle = [];
  await Promise.all(all.map(closeQuietly));
  return { closed: all.length };
}

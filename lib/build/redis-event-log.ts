import type { Db } from '../store/db';
import type { Logger } from '../observability/logger';
import type { BuildEvent } from '../protocol/build';
import { createSqliteEventLog, type EventLog } from './event-log';
import { buildStreamKey, watchErrors, type RedisClient } from './redis-clients';

// The build event log when builds run on other processes (design.md "Scale-out"): the SQL store stays
// the record (append writes the row first, through the same code as the embedded log), and each event
// then goes to a Redis Stream per build, whose entry id is the seq (`<seq>-0`), so an append retried
// after a lost reply cannot add it twice: Redis refuses an id at or below the stream's last, which
// here means "already there". Any process follows a build: replay from SQL, then the stream from where
// the replay ended. The stream only carries what is live; whenever it cannot say what came next (Redis
// restarted and lost it, an append that never reached it, a trimmed entry), the follower sees a seq
// gap or a quiet stream and reads SQL instead, so a follower never skips an event and never sees one
// twice.
//
// Connections: appends share the process's command connection; every build this process follows is
// read by one blocking XREAD on one reader connection (a follow of a new build wakes it with CLIENT
// UNBLOCK), so followers cost no connection each.

export type RedisEventLogOptions = {
  db: Db;
  /** The process's command connection (no offline queue: an append never waits out a Redis outage). */
  commands: RedisClient;
  logger: Logger;
  /** Entries a stream keeps (approximately); older ones are only in SQL. */
  maxLen?: number;
  /** Seconds a build's stream lives after its `done` (and, as a backstop, after any append). */
  ttlAfterDoneS?: number;
  ttlRunningS?: number;
  /** A followed build that was quiet on its stream this long is checked against SQL. */
  checkMs?: number;
};

export type RedisEventLog = EventLog & { close(): Promise<void> };

const ALREADY_THERE = /equal or smaller than the target stream top item/;
// Stream appends waiting per build while Redis is slow or away; past it they are dropped (SQL has
// them, and followers read SQL when the stream goes quiet or skips).
const MAX_PENDING_XADDS = 1000;
const BLOCK_MS = 5000;
const READ_COUNT = 500;

type Follower = {
  buildId: string;
  last: number;
  onEvent: (e: BuildEvent) => void;
  /** While the first replay runs, stream events wait here. */
  held: BuildEvent[] | null;
  /** Stream events past a gap, waiting for the SQL fill. */
  pending: BuildEvent[];
  filling: boolean;
  ended: boolean;
};

type Followed = { cursor: number; followers: Set<Follower>; lastStreamAt: number };

export function createRedisEventLog(opts: RedisEventLogOptions): RedisEventLog {
  const sql = createSqliteEventLog(opts.db);
  const { commands, logger } = opts;
  const maxLen = opts.maxLen ?? 10_000;
  const ttlAfterDoneS = opts.ttlAfterDoneS ?? 300;
  const ttlRunningS = opts.ttlRunningS ?? 24 * 3600;
  const checkMs = opts.checkMs ?? 3000;

  // ---- append: SQL first, then the stream, in seq order per build, off the caller's path ----
  const xaddChains = new Map<string, { chain: Promise<void>; pending: number }>();

  async function xadd(e: BuildEvent): Promise<void> {
    const key = buildStreamKey(e.buildId);
    try {
      await commands.xAdd(key, `${e.seq}-0`, { e: JSON.stringify(e) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLen } });
    } catch (err) {
      if (!ALREADY_THERE.test((err as Error).message)) throw err;
    }
    await commands.expire(key, e.type === 'done' ? ttlAfterDoneS : ttlRunningS);
  }

  function publish(e: BuildEvent): void {
    let c = xaddChains.get(e.buildId);
    if (!c) xaddChains.set(e.buildId, (c = { chain: Promise.resolve(), pending: 0 }));
    if (c.pending >= MAX_PENDING_XADDS) return;
    c.pending++;
    const entry = c;
    entry.chain = entry.chain.then(() =>
      xadd(e)
        .catch((err: Error) => logger.warn({ event: 'build_stream_append_failed', build: e.buildId, seq: e.seq, err: err.message }, 'an event did not reach the live stream; followers read it from the store'))
        .finally(() => {
          if (--entry.pending === 0 && xaddChains.get(e.buildId) === entry) xaddChains.delete(e.buildId);
        }),
    );
  }

  // ---- follow: one reader connection, one blocking XREAD over every followed build ----
  const followed = new Map<string, Followed>();
  let reader: RedisClient | null = null;
  let readerId: number | null = null;
  let loop: Promise<void> | null = null;
  let reading = false;
  let closed = false;
  let checkTimer: NodeJS.Timeout | null = null;

  function deliver(f: Follower, e: BuildEvent): boolean {
    if (e.seq <= f.last) return true;
    if (e.seq !== f.last + 1) return false;
    f.last = e.seq;
    f.onEvent(e);
    // `done` is a build's last event: nothing more to read for this follower.
    if (e.type === 'done') {
      f.ended = true;
      unregister(f);
    }
    return true;
  }

  function push(f: Follower, e: BuildEvent): void {
    if (f.held) return void f.held.push(e);
    if (!f.filling && deliver(f, e)) return;
    f.pending.push(e);
    void fill(f);
  }

  /** Reads SQL after what the follower has, then whatever the stream brought meanwhile. */
  async function fill(f: Follower): Promise<void> {
    if (f.filling) return;
    f.filling = true;
    try {
      for (const e of await sql.replay(f.buildId, f.last)) {
        if (!followed.get(f.buildId)?.followers.has(f)) return;
        deliver(f, e);
      }
    } catch (err) {
      // The periodic check tries again.
      logger.warn({ event: 'build_follow_fill_failed', build: f.buildId, err: (err as Error).message }, 'could not read missed build events from the store');
    } finally {
      f.filling = false;
    }
    const waiting = f.pending.sort((a, b) => a.seq - b.seq);
    f.pending = [];
    for (const [i, e] of waiting.entries()) {
      if (!deliver(f, e)) {
        f.pending = waiting.slice(i);
        return;
      }
    }
  }

  /** Every follower of a quiet build whose store is further along than what it was given: fill from SQL. */
  async function checkQuiet(): Promise<void> {
    const now = Date.now();
    const quiet = [...followed.entries()].filter(([, b]) => now - b.lastStreamAt >= checkMs && [...b.followers].some((f) => !f.ended && !f.held));
    if (!quiet.length) return;
    const ids = quiet.map(([id]) => id);
    let rows: { id: string; last_seq: number }[];
    try {
      rows = await opts.db.selectFrom('builds').select(['id', 'last_seq']).where('id', 'in', ids).execute();
    } catch (err) {
      logger.warn({ event: 'build_follow_check_failed', err: (err as Error).message }, 'could not check followed builds against the store');
      return;
    }
    for (const r of rows) for (const f of followed.get(r.id)?.followers ?? []) if (!f.held && !f.ended && r.last_seq > f.last) void fill(f);
  }

  async function ensureReader(): Promise<RedisClient> {
    if (reader) return reader;
    const r = commands.duplicate({ disableOfflineQueue: true });
    watchErrors(r, 'build-reader', logger);
    // A reconnected connection has a new id: look it up again before the next read.
    r.on('ready', () => (readerId = null));
    await r.connect();
    reader = r;
    return r;
  }

  async function readLoop(): Promise<void> {
    let failing = false;
    while (!closed && followed.size) {
      let reply: Awaited<ReturnType<RedisClient['xRead']>>;
      try {
        const r = await ensureReader();
        readerId ??= Number(await r.clientId());
        const streams = [...followed.entries()].map(([id, b]) => ({ key: buildStreamKey(id), id: `${b.cursor}-0` }));
        reading = true;
        reply = await r.xRead(streams, { BLOCK: BLOCK_MS, COUNT: READ_COUNT });
      } catch (err) {
        if (closed) return;
        if (!failing) logger.warn({ event: 'build_stream_read_failed', err: (err as Error).message }, 'reading live build events failed; followers read the store until Redis is back');
        failing = true;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      } finally {
        reading = false;
      }
      if (failing) {
        // Back after an outage: Redis may have restarted empty, so whatever was appended meanwhile is
        // read from SQL now rather than waiting for the quiet check.
        failing = false;
        for (const b of followed.values()) for (const f of b.followers) if (!f.held && !f.ended) void fill(f);
      }
      for (const stream of (reply ?? []) as { name: string; messages: { id: string; message: Record<string, string> }[] }[]) {
        const buildId = /^portico:build:(.+):events$/.exec(stream.name)?.[1];
        const b = buildId ? followed.get(buildId) : undefined;
        if (!b) continue;
        for (const m of stream.messages) {
          const seq = Number(m.id.split('-')[0]);
          b.cursor = Math.max(b.cursor, seq);
          b.lastStreamAt = Date.now();
          let e: BuildEvent;
          try {
            e = JSON.parse(m.message.e) as BuildEvent;
          } catch {
            continue;
          }
          for (const f of b.followers) push(f, e);
        }
      }
    }
  }

  /** A new build to read: interrupt the blocked XREAD so the next one includes it. */
  async function wake(): Promise<void> {
    for (let i = 0; i < 50 && reading && readerId !== null && !closed; i++) {
      const id = readerId;
      const unblocked = await commands.sendCommand(['CLIENT', 'UNBLOCK', String(id)]).catch(() => 0);
      if (unblocked === 1) return;
      // Not blocked yet (the read is on its way): try again in a moment.
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  function register(f: Follower): void {
    let b = followed.get(f.buildId);
    const isNew = !b;
    if (!b) followed.set(f.buildId, (b = { cursor: f.last, followers: new Set(), lastStreamAt: Date.now() }));
    b.followers.add(f);
    checkTimer ??= setInterval(() => void checkQuiet(), checkMs).unref();
    if (!loop) startLoop();
    else if (isNew) void wake();
  }

  function startLoop(): void {
    loop = readLoop().finally(() => {
      loop = null;
      // A follow may have arrived just as the loop saw nothing left to read.
      if (followed.size && !closed) startLoop();
    });
  }

  function unregister(f: Follower): void {
    const b = followed.get(f.buildId);
    if (!b?.followers.delete(f)) return;
    if (b.followers.size === 0) followed.delete(f.buildId);
    if (followed.size === 0 && checkTimer) {
      clearInterval(checkTimer);
      checkTimer = null;
    }
  }

  return {
    async append(buildId, body) {
      const e = await sql.append(buildId, body);
      publish(e);
      return e;
    },
    replay: sql.replay,
    async follow(buildId, afterSeq, onEvent) {
      const f: Follower = { buildId, last: afterSeq, onEvent, held: [], pending: [], filling: false, ended: false };
      // Registered (reading the stream) before the replay: whatever the stream brings meanwhile is held,
      // and what the replay already gave is dropped by seq, so the hand-over has neither a gap nor a
      // duplicate. Anything the reader saw before this follower joined is in SQL (SQL is written first).
      register(f);
      try {
        for (const e of await sql.replay(buildId, afterSeq)) deliver(f, e);
      } catch (err) {
        unregister(f);
        throw err;
      }
      const held = f.held!;
      f.held = null;
      for (const e of held) push(f, e);
      return () => unregister(f);
    },
    async close() {
      closed = true;
      if (checkTimer) clearInterval(checkTimer);
      checkTimer = null;
      followed.clear();
      await Promise.all([...xaddChains.values()].map((c) => c.chain));
      // destroy, not close: close would wait for the blocked read.
      reader?.destroy();
      reader = null;
      await loop;
    },
  };
}

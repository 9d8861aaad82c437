import { EventEmitter } from 'node:events';
import type { Db } from '../store/db';
import type { BuildEvent, BuildEventBody } from '../protocol/build';

// The build event log: append (stored with its sequence number before anyone sees it), replay after a
// seq, and follow live. SQLite plus an in-process notify today; a Redis Stream per build when builds run
// on other machines (design.md "Scale-out") — callers only know this interface.

export interface EventLog {
  append(buildId: string, body: BuildEventBody): Promise<BuildEvent>;
  replay(buildId: string, afterSeq: number): Promise<BuildEvent[]>;
  /**
   * Replays events after `afterSeq`, then delivers live ones, in order, with no gap and no duplicate.
   * Returns the function that stops following.
   */
  follow(buildId: string, afterSeq: number, onEvent: (e: BuildEvent) => void): Promise<() => void>;
}

export function createSqliteEventLog(db: Db): EventLog {
  const live = new EventEmitter();
  live.setMaxListeners(0);
  // Appends to one build from this process are queued, so they keep their call order; across processes
  // the row lock in appendNow keeps seq right.
  const chains = new Map<string, Promise<unknown>>();

  async function appendNow(buildId: string, body: BuildEventBody): Promise<BuildEvent> {
    const event = await db.transaction().execute(async (trx) => {
      // Taking the seq is the transaction's first statement, an UPDATE: it locks the build's row (on
      // Postgres a second appender, in any process, waits here until this one commits, then reads the seq
      // it left; on SQLite it takes the write lock), so seqs have no duplicate; a failed append rolls its
      // seq back with it, so they have no hole. The (build_id, seq) primary key is the backstop.
      const row = await trx
        .updateTable('builds')
        .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
        .where('id', '=', buildId)
        .returning('last_seq')
        .executeTakeFirstOrThrow();
      const e = { v: 1, ...body, buildId, seq: row.last_seq, at: Date.now() } as BuildEvent;
      await trx.insertInto('build_events').values({ build_id: buildId, seq: e.seq, event: JSON.stringify(e) }).execute();
      return e;
    });
    live.emit(buildId, event);
    return event;
  }

  async function replay(buildId: string, afterSeq: number): Promise<BuildEvent[]> {
    const rows = await db.selectFrom('build_events').select('event').where('build_id', '=', buildId).where('seq', '>', afterSeq).orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.event) as BuildEvent);
  }

  return {
    append(buildId, body) {
      const prev = chains.get(buildId) ?? Promise.resolve();
      const next = prev.then(() => appendNow(buildId, body));
      const settled = next.catch(() => undefined);
      chains.set(buildId, settled);
      void settled.then(() => {
        if (chains.get(buildId) === settled) chains.delete(buildId);
      });
      return next;
    },
    replay,
    async follow(buildId, afterSeq, onEvent) {
      // Listen first and hold live events back, then replay; anything the replay already covered is
      // dropped by seq, so the hand-over has neither a gap nor a duplicate.
      let last = afterSeq;
      let buffering: BuildEvent[] | null = [];
      const listener = (e: BuildEvent) => {
        if (buffering) return void buffering.push(e);
        if (e.seq > last) {
          last = e.seq;
          onEvent(e);
        }
      };
      live.on(buildId, listener);
      try {
        for (const e of await replay(buildId, afterSeq)) {
          last = e.seq;
          onEvent(e);
        }
      } catch (err) {
        live.off(buildId, listener);
        throw err;
      }
      const held = buffering;
      buffering = null;
      for (const e of held) listener(e);
      return () => live.off(buildId, listener);
    },
  };
}

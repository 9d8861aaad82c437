import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../store/db';
import { createAuthSessionStore } from '../store/auth-sessions';
import { createUsers } from '../store/users';
import { createSessionGuard, type SessionState } from './session-guard';
import { createTokens } from './tokens';

describe('session guard', () => {
  let dir: string;
  let store: Store;
  let userId: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-guard-'));
    store = await openStore(dir);
    userId = (await createUsers(store.db).create({ username: 'ann', passwordHash: 'x', role: 'user' }))!.id;
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // On SQLite the check is answered without a promise: the upgrade path stays free of awaits there.
  const sync = (state: SessionState | Promise<SessionState>): SessionState => {
    assert.ok(!(state instanceof Promise), 'SQLite answers synchronously');
    return state;
  };
  const guardFor = (over: Partial<Parameters<typeof createSessionGuard>[0]> = {}) =>
    createSessionGuard({ store: createAuthSessionStore(store.db), idleMs: 60_000, maxMs: 120_000, cacheMs: 5000, ...over });

  test('a revocation in this process is seen at once, despite the memo, and told to listeners', async () => {
    const guard = guardFor();
    const s = await guard.start(userId);
    assert.equal(sync(guard.check(s.id, userId)).ok, true);
    const told: string[][] = [];
    guard.onRevoke((ids) => told.push(ids));
    await guard.revoke(s.id, 'logout');
    assert.deepEqual(sync(guard.check(s.id, userId)), { ok: false, reason: 'revoked' });
    assert.deepEqual(told, [[s.id]]);
  });

  test('another user cannot borrow a session id, and an unknown id is refused', async () => {
    const guard = guardFor();
    const s = await guard.start(userId);
    assert.equal(sync(guard.check(s.id, 'someone-else')).ok, false);
    assert.deepEqual(sync(guard.check('no-such-session', userId)), { ok: false, reason: 'unknown' });
  });

  test('use slides the idle expiry, never past the absolute cap', async () => {
    const guard = guardFor({ cacheMs: 0, touchEveryMs: 0 });
    const s = await guard.start(userId);
    const db = store.db;
    // Started 100 s ago: the cap (120 s) is 20 s away, closer than the idle TTL (60 s).
    await db.updateTable('auth_sessions').set({ created_at: Date.now() - 100_000, last_seen_at: Date.now() - 100_000, expires_at: Date.now() + 1000 }).where('id', '=', s.id).execute();
    const state = sync(guard.check(s.id, userId));
    assert.ok(state.ok);
    assert.ok(state.expiresAt <= Date.now() + 20_000 && state.expiresAt > Date.now() + 15_000, `expiresAt in ${state.expiresAt - Date.now()} ms`);
  });

  test('tokens name their session, and a token whose session ended is refused', async () => {
    const guard = guardFor();
    const tokens = createTokens('k'.repeat(48), 600, guard);
    const s = await guard.start(userId);
    const { token } = await tokens.sign({ userId, username: 'ann', role: 'user', sessionId: s.id });
    const ok = await tokens.verify(token);
    assert.ok(ok.ok);
    assert.equal(ok.claims.sessionId, s.id);
    await guard.revokeUser(userId, 'password');
    assert.deepEqual(await tokens.verify(token), { ok: false, reason: 'revoked' });
    // A token without a session (minted by hand with the secret, or from before sessions) is not enough.
    const bare = await createTokens('k'.repeat(48), 600).sign({ userId, username: 'ann', role: 'user' });
    assert.deepEqual(await tokens.verify(bare.token), { ok: false, reason: 'invalid' });
  });
});

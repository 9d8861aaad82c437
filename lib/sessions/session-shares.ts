import { createHash, randomBytes } from 'node:crypto';
import { CLOSE } from '../errors/close-codes';
import { HttpError } from '../errors/http-errors';
import { owns } from '../auth/ownership';
import type { TokenClaims } from '../auth/tokens';
import type { Bus } from '../hub/bus';
import type { Logger } from '../observability/logger';
import type { CreatedShare, PublicSession, PublicShare, SessionAccess, SessionShares, ShareExpiry, ShareInvite, ShareRights } from '../protocol/api';
import type { Session, SessionShare } from '../store/schema';
import type { SessionShareStore } from '../store/session-shares';
import { toPublicSession } from '../store/sessions';
import type { Users } from '../store/users';
import { createSessionWatchers, onePerPerson, type Watcher } from './session-watchers';
import type { WatcherPresence } from './redis-watchers';

// Share links of a VM session (issue 14 point 6). A link is a capability with one purpose: it lets a
// signed-in user accept access to one session with the link's rights, until it expires or the owner
// revokes it. Its token is 256 random bits, shown once and stored only as its SHA-256, so the store (or a
// backup of it) holds nothing that opens a session. Accepting needs a sign-in; every socket is then
// authorised like the owner's, with the share's rights (lib/upgrade/routes/vnc.ts).
//
// A revoke closes every socket opened through the link with 4403 at once: this gateway's directly, the
// other gateways' through the bus (`REVOKED_TOPIC`, Redis Pub/Sub with REDIS_URL). A sweep every
// SWEEP_MS asks the store about the links of open sockets as well, which catches expiry and a revoke
// whose bus message was lost (Redis restarting).

/** Live links per session at once. */
export const MAX_SHARES_PER_SESSION = 20;
export const SHARE_EXPIRY_MS: Record<ShareExpiry, number> = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000 };
/** Not a hub topic a browser can name (the hub knows its topics): only gateways listen. */
export const REVOKED_TOPIC = 'gateway:share-revoked';
const SWEEP_MS = 2000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const REVOKED_REASON = 'the share link was revoked';
export const EXPIRED_REASON = 'the share link expired';

export const hashShareToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const isShareToken = (token: string) => TOKEN_PATTERN.test(token);

export type SessionAccessDecision = { access: SessionAccess; shareId: string | null };

export type SessionSharesDeps = {
  store: SessionShareStore;
  users: Users;
  bus: Bus;
  logger: Logger;
  sessions: { byId(id: string): Promise<Session | undefined> };
  /** Who is watching on every gateway (REDIS_URL); absent with one gateway, which sees every socket. */
  presence?: WatcherPresence | null;
};

export function createSessionSharing(deps: SessionSharesDeps) {
  const { store, logger } = deps;
  const watchers = createSessionWatchers();

  function stateOf(s: SessionShare, now = Date.now()): PublicShare['state'] {
    if (s.revoked_at !== null) return 'revoked';
    return s.expires_at <= now ? 'expired' : 'active';
  }

  async function publicShares(rows: SessionShare[]): Promise<PublicShare[]> {
    const grants = await store.grantsFor(rows.map((r) => r.id));
    return rows.map((s) => ({
      id: s.id,
      rights: s.rights,
      createdAt: Number(s.created_at),
      expiresAt: Number(s.expires_at),
      revokedAt: s.revoked_at === null ? null : Number(s.revoked_at),
      state: stateOf(s),
      accepted: grants.filter((g) => g.share_id === s.id).map((g) => ({ userId: g.user_id, username: g.username, acceptedAt: Number(g.accepted_at) })),
    }));
  }

  function closeShare(shareId: string, reason: string): number {
    const n = watchers.closeShare(shareId, CLOSE.FORBIDDEN, reason);
    if (n) logger.info({ event: 'share_sockets_closed', share: shareId, sockets: n, reason }, 'closed the sockets of a share link');
    return n;
  }

  // Other gateways' revokes.
  const subscription = deps.bus.subscribe(REVOKED_TOPIC, (m) => {
    if (m.type !== 'event') return;
    const shareId = (m.data as { shareId?: unknown } | null)?.shareId;
    if (typeof shareId === 'string') closeShare(shareId, REVOKED_REASON);
  });

  const sweep = setInterval(() => {
    const ids = watchers.shareIds();
    if (!ids.length) return;
    store.ended(ids, Date.now()).then(
      async (ended) => {
        for (const id of ended) {
          const row = await store.byId(id);
          closeShare(id, row && row.revoked_at === null ? EXPIRED_REASON : REVOKED_REASON);
        }
      },
      () => undefined, // a store that cannot answer closes nothing; the next sweep asks again
    );
  }, SWEEP_MS);
  sweep.unref();

  async function liveShareByToken(token: string): Promise<SessionShare> {
    if (!isShareToken(token)) throw new HttpError('not_found', 'This share link is not valid.');
    const share = await store.byTokenHash(hashShareToken(token));
    if (!share) throw new HttpError('not_found', 'This share link is not valid.');
    return share;
  }

  return {
    watchers,

    /** Who `user` is to `session`: its owner (or an admin), a user of a live link, or nobody (null). */
    async accessTo(session: Session, user: TokenClaims): Promise<SessionAccessDecision | null> {
      if (owns(user, session.owner_id)) return { access: 'owner', shareId: null };
      const [best] = await store.liveGrants(session.id, user.userId, Date.now());
      return best ? { access: best.rights, shareId: best.id } : null;
    },

    async create(user: TokenClaims, session: Session, input: { rights: ShareRights; expires: ShareExpiry }): Promise<CreatedShare> {
      const now = Date.now();
      const live = await store.countActive(session.id, now);
      if (live >= MAX_SHARES_PER_SESSION) {
        throw new HttpError('quota_exceeded', `This session has ${live} of ${MAX_SHARES_PER_SESSION} share links live; revoke one to make another.`);
      }
      const token = randomBytes(32).toString('base64url');
      const row = await store.create({ sessionId: session.id, createdBy: user.userId, tokenHash: hashShareToken(token), rights: input.rights, expiresAt: now + SHARE_EXPIRY_MS[input.expires] });
      logger.info({ event: 'share_created', session: session.id, share: row.id, rights: row.rights, by: user.username }, 'a share link was made');
      const [share] = await publicShares([row]);
      return { share, path: `/share/${token}` };
    },

    /** Sessions others shared with `user` through links still live, with the rights of the best one. */
    async sharedWith(user: TokenClaims): Promise<PublicSession[]> {
      const rows = await store.sharedWith(user.userId, Date.now());
      const best = new Map<string, ShareRights>();
      for (const r of rows) if (best.get(r.session_id) !== 'interactive') best.set(r.session_id, r.rights);
      const out: PublicSession[] = [];
      for (const [id, rights] of best) {
        const session = await deps.sessions.byId(id);
        if (!session || session.owner_id === user.userId) continue;
        const owner = await deps.users.byId(session.owner_id);
        out.push({ ...toPublicSession(session), access: rights, ownerName: owner?.username ?? 'someone' });
      }
      return out.sort((a, b) => b.createdAt - a.createdAt);
    },

    async list(session: Session): Promise<SessionShares> {
      const shares = await publicShares(await store.forSession(session.id));
      // Every gateway's viewers when Redis can say; this gateway's own (and saying so) when it cannot.
      const everywhere = deps.presence ? await deps.presence.of(session.id) : null;
      if (everywhere) return { shares, watching: onePerPerson(everywhere), limit: MAX_SHARES_PER_SESSION, watchingScope: 'all' };
      return { shares, watching: watchers.of(session.id), limit: MAX_SHARES_PER_SESSION, watchingScope: deps.presence ? 'gateway' : 'all' };
    },

    /** Ends the link: its sockets close with 4403 here and on every gateway; nobody can use it again. */
    async revoke(user: TokenClaims, session: Session, shareId: string): Promise<void> {
      const share = await store.byId(shareId);
      if (!share || share.session_id !== session.id) throw new HttpError('not_found', 'No such share link on this session.');
      await store.revoke(shareId);
      logger.info({ event: 'share_revoked', session: session.id, share: shareId, by: user.username }, 'a share link was revoked');
      closeShare(shareId, REVOKED_REASON);
      await deps.bus.publish(REVOKED_TOPIC, { shareId });
    },

    /** What the link gives, for the page that accepts it (no sign-in of the owner's is revealed but a name). */
    async invite(token: string, user: TokenClaims): Promise<ShareInvite> {
      const share = await liveShareByToken(token);
      const session = await deps.sessions.byId(share.session_id);
      if (!session) throw new HttpError('not_found', 'The session of this share link no longer exists.');
      const owner = await deps.users.byId(session.owner_id);
      return {
        sessionId: session.id,
        sessionName: session.name,
        ownerName: owner?.username ?? 'someone',
        rights: share.rights,
        expiresAt: Number(share.expires_at),
        state: stateOf(share),
        accepted: await store.hasGrant(share.id, user.userId),
        own: owns(user, session.owner_id),
      };
    },

    async accept(token: string, user: TokenClaims): Promise<{ sessionId: string; rights: ShareRights }> {
      const share = await liveShareByToken(token);
      const state = stateOf(share);
      if (state === 'revoked') throw new HttpError('forbidden', 'This share link was revoked by the session\'s owner.');
      if (state === 'expired') throw new HttpError('forbidden', 'This share link has expired; ask the owner for a new one.');
      const session = await deps.sessions.byId(share.session_id);
      if (!session) throw new HttpError('not_found', 'The session of this share link no longer exists.');
      if (!owns(user, session.owner_id)) {
        await store.accept(share.id, user.userId);
        logger.info({ event: 'share_accepted', session: session.id, share: share.id, user: user.username }, 'a share link was accepted');
      }
      return { sessionId: session.id, rights: share.rights };
    },

    /** A viewer socket is open: counted among who is watching, and closed if its link ends. */
    opened(sessionId: string, w: Omit<Watcher, 'since'>, close: (code: number, reason: string) => Promise<void>): () => void {
      const watcher = { ...w, since: Date.now() };
      const here = watchers.add(sessionId, watcher, close);
      const everywhere = deps.presence?.add(sessionId, watcher);
      return () => {
        here();
        everywhere?.();
      };
    },

    close(): void {
      clearInterval(sweep);
      subscription.close();
      deps.presence?.close();
    },
  };
}

export type SessionSharing = ReturnType<typeof createSessionSharing>;

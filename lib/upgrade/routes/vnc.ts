import { CLOSE } from '../../errors/close-codes';
import { vetTarget } from '../../sessions/target-allow';
import { isValidId } from '../../store/ids';
import { owns } from '../../auth/ownership';
import type { ShareRights } from '../../protocol/api';
import { sessionUpstream } from '../upstream';
import { decodeSegment, segments } from './path-segments';
import { defineRoute, type Matched, type Refusal, type Target } from './route';

// A VM session's VNC stream (design.md "VM sessions"). The target comes from the store, never from the
// request: a local sandbox's Unix socket or an external VNC server (bridged WS→TCP), or a websockify
// (proxied). Both paths are one route; the second is the one older noVNC frontends open.

export type VncParams = { sessionId: string };
export type VncSession = {
  id: string;
  target: string;
  /** Registered by an admin: vetted against VNC_TARGET_ALLOW at every connect. */
  external: boolean;
  /** Set when the viewer came through a share link (absent for the owner and admins). */
  rights?: ShareRights;
};

export function matchVnc(pathname: string): Matched<VncParams> {
  const seg = segments(pathname);
  let raw: string | undefined;
  if (seg.length === 4 && seg[0] === 'api' && seg[1] === 'sessions' && seg[3] === 'vnc') raw = seg[2];
  else if (seg.length === 6 && seg[0] === 'api' && seg[1] === 'auth' && seg[2] === 'session' && seg[4] === 'novnc' && seg[5] === 'websock') raw = seg[3];
  if (raw === undefined) return null;
  const sessionId = decodeSegment(raw);
  return isValidId(sessionId) ? { params: { sessionId } } : { problem: 'malformed session id' };
}

export const vncRoute = defineRoute({
  name: 'vnc',
  pattern: '/api/sessions/:id/vnc',
  label: 'VM viewers',
  // A websockify target is proxied; what the route does by default, and for local VMs, is bridge.
  transport: 'bridge',
  access: 'user',
  origin: 'builtin',
  match: (pathname: string) => matchVnc(pathname),
  ticketResource: (p: VncParams) => p.sessionId,
  async authorise(p: VncParams, user, deps) {
    const session = await deps.sessions.byId(p.sessionId);
    if (!session) return { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such session' };
    if (!user) return { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your session' };
    // The owner (or an admin), or someone who accepted a share link that is still live: its rights go with
    // the socket, to the bridge that enforces them (here or on the vmhost).
    const decision = owns(user, session.owner_id) ? { access: 'owner' as const, shareId: null } : await deps.sharing?.accessTo(session, user);
    if (!decision) return { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your session' };
    const resource: VncSession = { id: session.id, target: session.target, external: session.kind === 'external' };
    if (decision.access !== 'owner') resource.rights = decision.access;
    const sharing = deps.sharing;
    const describe = decision.shareId ? `session:${session.id} share:${decision.shareId} ${decision.access}` : `session:${session.id}`;
    if (!sharing) return { ok: true, resource, describe };
    const watcher = { userId: user.userId, username: user.username, access: decision.access, shareId: decision.shareId };
    return { ok: true, resource, describe, onOpen: (close) => sharing.opened(session.id, watcher, close) };
  },
  async resolve(_p: VncParams, session: VncSession, ctx, deps) {
    // With VMHOST_URL this gateway runs no VMs: a local session's desktop is on the vmhost, which bridges
    // it as this gateway would. It gets a token for this session alone, never the user's.
    if (!session.external && deps.vmhost) {
      const { url, bearer } = await deps.vmhost.viewer(session.id, ctx.user!, session.rights);
      return { transport: 'proxy', url, bearer };
    }
    const target = await resolveSession(session, deps.vncTargetAllow);
    if (!session.rights || 'ok' in target) return target;
    // Rights are enforced where the RFB stream is read: by a bridge. A websockify target is proxied frame
    // by frame, unread, so it is never reached through a share link.
    if (target.transport !== 'bridge') return { ok: false, code: CLOSE.FORBIDDEN, reason: 'this VM cannot be shared: its target is a websockify' };
    return { ...target, rights: session.rights };
  },
});

export async function resolveSession(session: VncSession, allow: readonly string[]): Promise<Target | Refusal> {
  const target = sessionUpstream(session.target);
  if (!target) return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'session has no usable target' };
  if (!session.external || target.kind === 'unix') return toTarget(target);
  // An admin's registration was checked then; the allow-list or the name's addresses may have changed.
  const vetted = await vetTarget(session.target, allow);
  if (!vetted.ok) {
    return vetted.problem === 'unresolved'
      ? { ok: false, code: CLOSE.BAD_GATEWAY, reason: 'VM unreachable: its host does not resolve' }
      : { ok: false, code: CLOSE.FORBIDDEN, reason: 'VM target no longer allowed by VNC_TARGET_ALLOW' };
  }
  if (target.kind === 'tcp') return toTarget({ ...target, host: vetted.address });
  return { transport: 'proxy', url: target.url, pinned: { address: vetted.address, family: vetted.family } };
}

function toTarget(t: NonNullable<ReturnType<typeof sessionUpstream>>): Target {
  if (t.kind === 'ws') return { transport: 'proxy', url: t.url };
  return { transport: 'bridge', to: t };
}

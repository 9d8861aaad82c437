import fs from 'node:fs/promises';
import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { hashPassword, passwordProblem } from '../../auth/passwords';
import type { TokenClaims } from '../../auth/tokens';
import { workspaceDir } from '../../build/workspace';
import { removeBuildOutputs } from '../../build/build-output';
import { isValidId } from '../../store/ids';
import type { User } from '../../store/schema';
import { USERNAME_PATTERN, toPublicUser, type ManagedUser } from '../../store/users';
import { requireAdmin, requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';
import { hashed } from './auth-routes';

// The users screen's API (admins only). Every change that alters what a user may do ends their sign-ins,
// so a demoted, disabled or re-passworded user's open pages and sockets stop within seconds (design.md
// "Trust boundaries"). No change may leave the server without an admin who can sign in.

const newUserBody = z.object({
  username: z.string({ error: 'username is required.' }).regex(USERNAME_PATTERN, 'A username is 1–64 letters, digits, dots, dashes or underscores.'),
  password: z.string({ error: 'password is required.' }),
  role: z.enum(['admin', 'user'], { error: 'role is "admin" or "user".' }).default('user'),
});

const changeBody = z
  .object({
    role: z.enum(['admin', 'user'], { error: 'role is "admin" or "user".' }).optional(),
    disabled: z.boolean({ error: 'disabled is true or false.' }).optional(),
  })
  .strict();

const resetBody = z.object({ password: z.string({ error: 'password is required.' }) });

async function admin(ctx: RouteContext<ApiDeps>): Promise<TokenClaims> {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  requireAdmin(user);
  return user;
}

async function target(ctx: RouteContext<ApiDeps>): Promise<User> {
  if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That user id is not valid.');
  const user = await ctx.deps.users.byId(ctx.params.id);
  if (!user) throw new HttpError('not_found', 'No such user.');
  return user;
}

/** Refuses a change that would leave no admin able to sign in, or lock the caller out of their own account. */
async function keepAnAdmin(ctx: RouteContext<ApiDeps>, caller: TokenClaims, user: User, what: string): Promise<void> {
  if (user.id === caller.userId) throw new HttpError('conflict', `You cannot ${what} your own account; ask another admin.`);
  if (user.role === 'admin' && user.disabled_at === null && (await ctx.deps.users.activeAdmins()) <= 1) {
    throw new HttpError('conflict', `"${user.username}" is the last admin who can sign in; make someone else an admin first.`);
  }
}

async function managed(ctx: RouteContext<ApiDeps>, user: User, counts?: Map<string, number>): Promise<ManagedUser> {
  const active = counts ?? (await ctx.deps.authSessions.activeCounts());
  return { ...toPublicUser(user), disabled: user.disabled_at !== null, createdAt: user.created_at, activeSessions: active.get(user.id) ?? 0 };
}

export const usersRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/users',
    async handler(ctx) {
      await admin(ctx);
      const [rows, counts] = await Promise.all([ctx.deps.users.list(), ctx.deps.authSessions.activeCounts()]);
      sendJson(ctx.res, 200, await Promise.all(rows.map((u) => managed(ctx, u, counts))));
    },
  },
  {
    method: 'POST',
    pattern: '/api/users',
    async handler(ctx) {
      await admin(ctx);
      const body = parseBody(newUserBody, await readJson(ctx.req));
      const problem = passwordProblem(body.password);
      if (problem) throw new HttpError('bad_request', problem);
      const hash = await hashed(ctx, () => hashPassword(body.password));
      const user = await ctx.deps.users.create({ username: body.username, passwordHash: hash, role: body.role });
      if (!user) throw new HttpError('conflict', `The username "${body.username}" is taken.`);
      ctx.deps.logger.info({ event: 'user_created', user: user.username, role: user.role }, 'user created');
      sendJson(ctx.res, 201, toPublicUser(user));
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/users/:id',
    async handler(ctx) {
      const caller = await admin(ctx);
      const body = parseBody(changeBody, await readJson(ctx.req));
      let user = await target(ctx);
      if (body.role !== undefined && body.role !== user.role) {
        if (body.role === 'user') await keepAnAdmin(ctx, caller, user, 'demote');
        await ctx.deps.users.setRole(user.id, body.role);
        // The role is in every token of theirs: they sign in again to get one that says the new role.
        await ctx.deps.guard.revokeUser(user.id, 'role');
      }
      if (body.disabled !== undefined && body.disabled !== (user.disabled_at !== null)) {
        if (body.disabled) await keepAnAdmin(ctx, caller, user, 'disable');
        await ctx.deps.users.setDisabled(user.id, body.disabled);
        if (body.disabled) await ctx.deps.guard.revokeUser(user.id, 'disabled');
      }
      user = await target(ctx);
      ctx.deps.logger.info({ event: 'user_changed', user: user.username, by: caller.username, ...body }, 'user changed');
      sendJson(ctx.res, 200, await managed(ctx, user));
    },
  },
  {
    method: 'POST',
    pattern: '/api/users/:id/password',
    async handler(ctx) {
      const caller = await admin(ctx);
      const body = parseBody(resetBody, await readJson(ctx.req));
      const problem = passwordProblem(body.password);
      if (problem) throw new HttpError('bad_request', problem);
      const user = await target(ctx);
      await ctx.deps.users.setPasswordHash(user.id, await hashed(ctx, () => hashPassword(body.password)));
      // An admin resetting their own password here keeps the sign-in they are using.
      await ctx.deps.guard.revokeUser(user.id, 'password', user.id === caller.userId ? caller.sessionId : undefined);
      ctx.deps.logger.info({ event: 'password_reset', user: user.username, by: caller.username }, 'password reset');
      ctx.res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
    },
  },
  {
    method: 'POST',
    pattern: '/api/users/:id/sign-out',
    async handler(ctx) {
      const caller = await admin(ctx);
      const user = await target(ctx);
      const ended = await ctx.deps.guard.revokeUser(user.id, 'signed_out_everywhere');
      ctx.deps.logger.info({ event: 'signed_out_everywhere', user: user.username, by: caller.username, sessions: ended.length }, 'signed out everywhere');
      sendJson(ctx.res, 200, { ended: ended.length });
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/users/:id',
    async handler(ctx) {
      const caller = await admin(ctx);
      const user = await target(ctx);
      await keepAnAdmin(ctx, caller, user, 'delete');
      // Sign-ins first, so nothing of theirs keeps running while the rest goes.
      await ctx.deps.guard.revokeUser(user.id, 'deleted');
      for (const session of await ctx.deps.sessions.listFor(user.id)) await ctx.deps.sessionService.remove(caller, session);
      const projects = await ctx.deps.projects.listFor(user.id);
      const buildIds = (await Promise.all(projects.map((p) => ctx.deps.builds.idsFor(p.id)))).flat();
      await ctx.deps.users.remove(user.id);
      for (const p of projects) await fs.rm(workspaceDir(ctx.deps.config.dataDir, p.id), { recursive: true, force: true });
      await removeBuildOutputs(ctx.deps.config.dataDir, buildIds);
      ctx.deps.logger.info({ event: 'user_deleted', user: user.username, by: caller.username, projects: projects.length }, 'user deleted');
      ctx.res.writeHead(204).end();
    },
  },
];

import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { hashPassword, passwordProblem } from '../../auth/passwords';
import { USERNAME_PATTERN, toPublicUser } from '../../store/users';
import { requireAdmin, requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';

const newUserBody = z.object({
  username: z.string({ error: 'username is required.' }).regex(USERNAME_PATTERN, 'A username is 1–64 letters, digits, dots, dashes or underscores.'),
  password: z.string({ error: 'password is required.' }),
  role: z.enum(['admin', 'user'], { error: 'role is "admin" or "user".' }).default('user'),
});

async function createUser(ctx: RouteContext<ApiDeps>) {
  requireAdmin(await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins));
  const body = parseBody(newUserBody, await readJson(ctx.req));
  const problem = passwordProblem(body.password);
  if (problem) throw new HttpError('bad_request', problem);
  const user = await ctx.deps.users.create({ username: body.username, passwordHash: await hashPassword(body.password), role: body.role });
  if (!user) throw new HttpError('conflict', `The username "${body.username}" is taken.`);
  sendJson(ctx.res, 201, toPublicUser(user));
}

export const usersRoutes: RouteDef<ApiDeps>[] = [{ method: 'POST', pattern: '/api/users', handler: createUser }];

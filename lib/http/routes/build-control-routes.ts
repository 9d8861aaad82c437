import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { refusal } from '../../errors/reasons';
import { MAX_PROMPT_CHARS } from '../../protocol/build';
import { isValidId } from '../../store/ids';
import { owns } from '../../auth/ownership';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';

// Start and cancel a build over plain HTTP, for a page whose socket is not live (restart, a proxy that
// refuses upgrades): the panel is never read-only. Authorised here like the socket, then sent to the
// build backend with a token minted for that project, exactly as the SSE stream is; the backend's
// answer (202, 409 with the running build's id, 429 with the quota's sentence) is passed on as it is.

const startBody = z.object({
  prompt: z
    .string({ error: 'prompt is required.' })
    .trim()
    .min(1, refusal('empty_prompt').message)
    .max(MAX_PROMPT_CHARS, refusal('prompt_too_long', { max: MAX_PROMPT_CHARS }).message),
});

/**
 * The caller's own project, or 404: another user's project answers exactly as an unknown one here, so a
 * start or cancel cannot be used to learn which ids exist.
 */
async function requireOwnProject(ctx: RouteContext<ApiDeps>) {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That project id is not valid.');
  const project = await ctx.deps.projects.byId(ctx.params.id);
  if (!project || !owns(user, project.owner_id)) throw new HttpError('not_found');
  return { user, project };
}

async function forward(ctx: RouteContext<ApiDeps>, path: string, body: unknown, grant: Awaited<ReturnType<typeof requireOwnProject>>) {
  const bearer = await ctx.deps.backendTokens.mint({ user: grant.user, projectId: grant.project.id });
  let answer: Response;
  try {
    answer = await fetch(new URL(path, ctx.deps.buildBackendHttp), {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ctx.deps.config.upstreamConnectTimeoutMs),
      redirect: 'error',
    });
  } catch {
    throw new HttpError('bad_gateway');
  }
  let json: unknown;
  try {
    json = JSON.parse(await boundedText(answer, MAX_ANSWER_BYTES));
  } catch {
    throw new HttpError('bad_gateway');
  }
  sendJson(ctx.res, answer.status, json);
}

// The backend answers a few hundred bytes (a BuildInfo, or an error sentence); anything past this is not
// one of its answers, and the gateway stops reading rather than hold it.
const MAX_ANSWER_BYTES = 64 * 1024;

async function boundedText(answer: Response, limit: number): Promise<string> {
  if (!answer.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop cancels the rest of the body.
    if (size > limit) throw new Error(`the build backend's answer is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const buildControlRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'POST',
    pattern: '/api/projects/:id/builds',
    async handler(ctx) {
      const grant = await requireOwnProject(ctx);
      const { prompt } = parseBody(startBody, await readJson(ctx.req));
      await forward(ctx, `/build/${encodeURIComponent(grant.project.id)}/builds`, { prompt }, grant);
    },
  },
  {
    method: 'POST',
    pattern: '/api/projects/:id/builds/:buildId/cancel',
    async handler(ctx) {
      const grant = await requireOwnProject(ctx);
      if (!isValidId(ctx.params.buildId)) throw new HttpError('bad_request', 'That build id is not valid.');
      await forward(ctx, `/build/${encodeURIComponent(grant.project.id)}/builds/${encodeURIComponent(ctx.params.buildId)}/cancel`, {}, grant);
    },
  },
];

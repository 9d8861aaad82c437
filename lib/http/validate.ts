import type { z } from 'zod';
import { HttpError } from '../errors/http-errors';

/** Parses a body with a zod schema; the first problem becomes the 400's sentence. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  // Our schemas carry whole sentences; zod's own messages ("Invalid input…") need the field named.
  const sentence = /[.!?]$/.test(issue.message);
  const field = issue.path.length && !sentence ? `${issue.path.join('.')}: ` : '';
  throw new HttpError('bad_request', `${field}${issue.message}`);
}

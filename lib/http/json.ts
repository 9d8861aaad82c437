import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatBytes } from '../protocol/format-units';
import { HttpError, errorBody, type HttpErrorCode } from '../errors/http-errors';
import { API_CSP } from './content-security-policy';

const DEFAULT_BODY_LIMIT = 64 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    // Also set by server.ts for every answer; repeated here so JSON is safe whoever serves it.
    'Content-Security-Policy': API_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, code: HttpErrorCode, message?: string): void {
  const err = new HttpError(code, message);
  if (res.headersSent) return void res.destroy();
  sendJson(res, err.status, errorBody(code, err.message));
}

/** Reads a JSON body of at most `limit` bytes; refuses anything else with a specific HttpError. */
export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError('unsupported_media_type');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError('payload_too_large', `The request body is larger than ${formatBytes(limit)}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError('payload_too_large', `The request body is larger than ${formatBytes(limit)}.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError('invalid_json');
  }
}

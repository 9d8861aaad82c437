import { HttpError } from '../errors/http-errors';
import { formatBytes } from '../protocol/format-units';
import type { RouteContext } from './route';

/**
 * The byte limit of an upload (a workspace file, a VM home file). A body whose Content-Length already says
 * more is refused before a byte is read, and the connection closes: the client may still be sending it. A
 * chunked body declares nothing, so the writer still stops at the limit as the bytes arrive.
 */
export function uploadLimit(ctx: RouteContext<{ config: { uploadMaxBytes: number } }>): number {
  const max = ctx.deps.config.uploadMaxBytes;
  const declared = Number(ctx.req.headers['content-length'] ?? 0);
  if (declared > max) {
    ctx.res.setHeader('Connection', 'close');
    throw new HttpError('payload_too_large', `The file is larger than ${formatBytes(max)}, the upload limit.`);
  }
  return max;
}

import type http from 'node:http';
import { HttpError } from '../errors/http-errors';
import { sendJson } from '../http/json';
import { VM_LIMITS } from './vm-sandbox';
import { asHttpError, type HomeFiles } from './vm-files';

// The vmhost's side of a gateway's file operation on a VM's home (vm-files-remote.ts is the other):
//   GET /vms/:id/files?path=<folder>   one folder
//   GET /vms/:id/files/<path>          a file's bytes
//   PUT /vms/:id/files/<path>?max=N    an upload of at most N bytes (the gateway's UPLOAD_MAX_BYTES)
// The token (op `files`, that session) was checked by the caller; the operations are the local ones.

export async function serveHomeFiles(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rest: string | null, files: HomeFiles): Promise<void> {
  const fail = (err: unknown) => Promise.reject(asHttpError(err));
  if (req.method === 'GET' && rest === null) return sendJson(res, 200, await files.list(url.searchParams.get('path') ?? '').catch(fail));
  if (rest === null) throw new HttpError('method_not_allowed');
  if (req.method === 'GET') {
    const file = await files.read(rest).catch(fail);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(file.bytes) });
    res.once('close', () => file.cancel());
    file.body.pipe(res);
    return;
  }
  if (req.method === 'PUT') {
    const max = Math.min(Number(url.searchParams.get('max')) || 0, VM_LIMITS.fsize);
    if (max <= 0) throw new HttpError('bad_request', 'max (the upload limit) is required.');
    const result = await files.write(rest, req, max).catch((err) => Promise.reject(asHttpError(err, max)));
    return sendJson(res, result.created ? 201 : 200, { path: result.path, bytes: result.bytes, op: result.created ? 'created' : 'updated' });
  }
  throw new HttpError('method_not_allowed');
}

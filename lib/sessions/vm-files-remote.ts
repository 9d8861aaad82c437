import { Readable, Transform } from 'node:stream';
import { HTTP_ERRORS, HttpError, errorCodeForStatus, type HttpErrorCode } from '../errors/http-errors';
import type { VmHomeListing } from '../protocol/api';
import { VmFileError, cleanHomePath, type HomeFiles } from './vm-files';

// A VM's home on the vmhost (VMHOST_URL), for a gateway that runs no VMs: each file operation is one
// request to the vmhost with a token minted for that operation on that session (op `files`), served there
// by vm-files-serve.ts exactly as a local VM's is here. The bytes stream through; nothing is buffered whole.

const LIST_TIMEOUT_MS = 15_000;
// A transfer may be long; one that stops moving is the client's or the vmhost's to end.
const TRANSFER_TIMEOUT_MS = 10 * 60_000;

type Remote = { base: string; sessionId: string; token(): Promise<string> };

async function refusal(res: Response): Promise<HttpError> {
  const answer = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = answer?.error?.code && answer.error.code in HTTP_ERRORS ? (answer.error.code as HttpErrorCode) : errorCodeForStatus(res.status);
  return new HttpError(code, answer?.error?.message ?? `The VM host answered HTTP ${res.status}.`);
}

function unreachable(err: unknown): HttpError {
  const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
  return new HttpError('unavailable', `The VM host is unreachable (${why}); try again shortly.`);
}

// Checked here first, by the same rules as the vmhost: a `..` would otherwise be resolved by the URL itself.
const filePath = (rel: string) => cleanHomePath(rel, { allowRoot: false }).split('/').map(encodeURIComponent).join('/');

export function remoteHomeFiles(remote: Remote): HomeFiles {
  const at = (suffix: string) => `${remote.base}/vms/${encodeURIComponent(remote.sessionId)}/files${suffix}`;
  const auth = async () => ({ authorization: `Bearer ${await remote.token()}` });
  return {
    async list(rel) {
      const res = await fetch(at(`?path=${encodeURIComponent(cleanHomePath(rel, { allowRoot: true }))}`), { headers: await auth(), signal: AbortSignal.timeout(LIST_TIMEOUT_MS) }).catch((err) => Promise.reject(unreachable(err)));
      if (!res.ok) throw await refusal(res);
      return (await res.json()) as VmHomeListing;
    },
    async read(rel) {
      const target = filePath(rel);
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), TRANSFER_TIMEOUT_MS);
      const res = await fetch(at(`/${target}`), { headers: await auth(), signal: ctrl.signal }).catch((err) => {
        clearTimeout(timer);
        return Promise.reject(unreachable(err));
      });
      if (!res.ok || !res.body) {
        clearTimeout(timer);
        throw await refusal(res);
      }
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      body.once('close', () => clearTimeout(timer));
      body.on('error', () => undefined);
      return { path: rel, bytes: Number(res.headers.get('content-length') ?? 0), body, cancel: () => ctrl.abort() };
    },
    async write(rel, source, maxBytes, onChunk) {
      const target = filePath(rel);
      // Counted here too, so the quota is charged as the bytes pass and an oversized body stops at once.
      let bytes = 0;
      let stopped: Error | null = null;
      const counted = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (bytes > maxBytes) stopped = new VmFileError('too_large', 'The file is too large.');
          else {
            try {
              onChunk?.(chunk.length);
            } catch (err) {
              stopped = err as Error;
            }
          }
          cb(stopped, stopped ? undefined : chunk);
        },
      });
      source.on('error', (err) => counted.destroy(err));
      source.pipe(counted);
      const res = await fetch(at(`/${target}?max=${maxBytes}`), {
        method: 'PUT',
        headers: { ...(await auth()), 'content-type': 'application/octet-stream' },
        body: Readable.toWeb(counted) as unknown as BodyInit,
        duplex: 'half',
        signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
      } as RequestInit).catch((err) => Promise.reject(stopped ?? unreachable(err)));
      if (stopped) throw stopped;
      if (!res.ok) throw await refusal(res);
      const answer = (await res.json()) as { path: string; bytes: number; op: 'created' | 'updated' };
      return { path: answer.path, bytes: answer.bytes, created: answer.op === 'created' };
    },
  };
}

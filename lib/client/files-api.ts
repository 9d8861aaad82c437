import { HTTP_ERRORS } from '../errors/http-errors';
import { OFFLINE_SENTENCE } from './api';

// The FileManager's calls that need more than apiRequest: a file's URL, and uploads through
// XMLHttpRequest, the one browser API that reports upload progress (fetch does not).

export function filesPath(projectId: string, path?: string): string {
  const base = `/api/projects/${encodeURIComponent(projectId)}/files`;
  return path ? `${base}/${path.split('/').map(encodeURIComponent).join('/')}` : base;
}

export type UploadOutcome = { ok: true; status: number } | { ok: false; status: number; message: string };

export type Upload = { done: Promise<UploadOutcome>; abort(): void };

/**
 * PUT the file's bytes to the workspace. `onProgress` gets bytes sent so far. Resolves (never rejects)
 * with the server's sentence on failure, so each row of the upload list can say what went wrong.
 */
export function uploadFile(projectId: string, path: string, file: Blob, onProgress: (loaded: number) => void): Upload {
  return putFile(filesPath(projectId, path), file, onProgress);
}

/** The same PUT to any files URL of the API (a project's workspace, a VM's home). */
export function putFile(url: string, file: Blob, onProgress: (loaded: number) => void): Upload {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size);
        return resolve({ ok: true, status: xhr.status });
      }
      resolve({ ok: false, status: xhr.status, message: sentenceOf(xhr.status, xhr.responseText) });
    };
    // The server refuses an oversized upload as soon as it reads Content-Length and closes the
    // connection; a browser still sending the body may then only see a reset, not the 413.
    xhr.onerror = () => resolve({ ok: false, status: 0, message: OFFLINE_SENTENCE });
    xhr.onabort = () => resolve({ ok: false, status: 0, message: 'The upload was cancelled.' });
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

function sentenceOf(status: number, body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not our JSON: a proxy in front of us answered.
  }
  const known = Object.values(HTTP_ERRORS).find((e) => e.status === status);
  return known?.message ?? HTTP_ERRORS.internal.message;
}

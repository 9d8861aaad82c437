'use client';

import { CircleAlert, CircleCheck, X } from 'lucide-react';
import { formatBytes } from '@/lib/protocol/format-units';

export type UploadRow = {
  id: number;
  name: string;
  bytes: number;
  loaded: number;
  state: 'uploading' | 'done' | 'failed';
  message?: string;
};

/** One row per file being uploaded: its progress bar, then "Uploaded" or the server's sentence. */
export function UploadList({ uploads, onDismiss, onClear }: { uploads: UploadRow[]; onDismiss(id: number): void; onClear(): void }) {
  if (uploads.length === 0) return null;
  const finished = uploads.filter((u) => u.state !== 'uploading').length;
  return (
    <div className="border-b border-line bg-sunken/40 px-5 py-3">
      <div className="mb-2 flex items-center justify-between">
        <h3 className="text-xs font-medium text-muted">
          Uploads <span className="tabular-nums">{finished}/{uploads.length}</span>
        </h3>
        {finished > 0 ? (
          <button type="button" onClick={onClear} className="text-xs font-medium text-accent hover:underline">
            Clear finished
          </button>
        ) : null}
      </div>
      <ul aria-label="Uploads" className="space-y-2.5">
        {uploads.map((u) => {
          const percent = u.bytes > 0 ? Math.min(100, Math.round((u.loaded / u.bytes) * 100)) : u.state === 'done' ? 100 : 0;
          return (
            <li key={u.id} data-testid="upload-row" data-state={u.state} className="text-sm">
              <div className="flex items-center gap-2">
                {u.state === 'done' ? (
                  <CircleCheck aria-hidden className="size-4 shrink-0 text-emerald-600 dark:text-emerald-400" />
                ) : u.state === 'failed' ? (
                  <CircleAlert aria-hidden className="size-4 shrink-0 text-danger" />
                ) : null}
                <span className="min-w-0 flex-1 truncate text-ink">{u.name}</span>
                <span className="shrink-0 text-xs text-muted tabular-nums">
                  {u.state === 'done' ? `Uploaded · ${formatBytes(u.bytes)}` : u.state === 'failed' ? 'Failed' : `${formatBytes(u.loaded)} of ${formatBytes(u.bytes)}`}
                </span>
                {u.state !== 'uploading' ? (
                  <button type="button" aria-label={`Dismiss ${u.name}`} onClick={() => onDismiss(u.id)} className="grid size-6 shrink-0 place-items-center rounded text-muted hover:bg-sunken hover:text-ink">
                    <X aria-hidden className="size-3.5" />
                  </button>
                ) : null}
              </div>
              <div
                role="progressbar"
                aria-label={`Upload of ${u.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
                aria-valuetext={u.state === 'done' ? 'Uploaded' : u.state === 'failed' ? 'Failed' : `${percent}%`}
                className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-line"
              >
                <div
                  className={`h-full rounded-full transition-[width] duration-200 ${u.state === 'failed' ? 'bg-danger' : u.state === 'done' ? 'bg-emerald-500' : 'bg-accent'}`}
                  style={{ width: `${u.state === 'failed' ? Math.max(percent, 100) : percent}%` }}
                />
              </div>
              {u.state === 'failed' && u.message ? <p role="alert" className="mt-1 text-xs text-danger">{u.message}</p> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

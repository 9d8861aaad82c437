'use client';

import { ChevronRight, Download, File as FileIcon, Folder, House, Link2, RotateCw, Upload as UploadIcon, X } from 'lucide-react';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { VmHomeEntry, VmHomeListing } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { useDropZone } from '@/lib/client/use-drop-zone';
import { putFile } from '@/lib/client/files-api';
import { relativeTime } from '@/lib/client/relative-time';
import { useModalDialog } from '@/lib/client/use-modal-dialog';
import { formatBytes } from '@/lib/protocol/format-units';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { UploadList, type UploadRow } from './upload-list';

// The session page's file transfer (Guacamole's, for a VM): the VM's home one folder at a time, uploads
// into the folder shown (several at once, or dropped on the dialog) with progress, and downloads. The
// server does each operation as the VM's own user, so what it lists and writes is what the VM sees.

const homeUrl = (sessionId: string, path: string) => `/api/sessions/${encodeURIComponent(sessionId)}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

export function SessionFilesDialog({ sessionId, open, onClose }: { sessionId: string; open: boolean; onClose(): void }) {
  const titleId = useId();
  const dialog = useModalDialog(open);
  const [dir, setDir] = useState('');
  const [listing, setListing] = useState<VmHomeListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (path: string) => {
      setLoading(true);
      try {
        const l = await apiRequest<VmHomeListing>(`/api/sessions/${encodeURIComponent(sessionId)}/files?path=${encodeURIComponent(path)}`);
        setListing(l);
        setDir(l.path);
        setError(null);
      } catch (err) {
        setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
      } finally {
        setLoading(false);
      }
    },
    [sessionId],
  );

  useEffect(() => {
    if (open) void load(dir);
    // Only on opening: navigation loads by itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, load]);

  const uploads = useHomeUploads(sessionId, () => void load(dir));
  const inputRef = useRef<HTMLInputElement>(null);
  const drop = useDropZone((files) => uploads.start(dir, files));
  const crumbs = dir ? dir.split('/') : [];

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      data-testid="session-files"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[calc(100%-1.5rem)] max-w-2xl rounded-xl border border-line bg-surface p-0 text-ink shadow-lg backdrop:bg-black/40"
    >
      <div {...drop.handlers} className="relative flex max-h-[min(40rem,calc(100dvh-2rem))] flex-col">
        <div className="flex items-center gap-2 border-b border-line px-4 py-3">
          <h2 id={titleId} className="min-w-0 flex-1 truncate text-base font-semibold">
            Files in the VM’s home
          </h2>
          <IconButton label="Close" onClick={onClose}>
            <X aria-hidden className="size-4" />
          </IconButton>
        </div>

        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-line px-4 py-2.5">
          <nav aria-label="Folder" className="flex min-w-0 flex-1 flex-wrap items-center gap-0.5 text-sm">
            <CrumbButton current={crumbs.length === 0} onClick={() => void load('')}>
              <House aria-hidden className="size-3.5" />
              Home
            </CrumbButton>
            {crumbs.map((name, i) => (
              <span key={i} className="inline-flex min-w-0 items-center gap-0.5">
                <ChevronRight aria-hidden className="size-3.5 shrink-0 text-muted" />
                <CrumbButton current={i === crumbs.length - 1} onClick={() => void load(crumbs.slice(0, i + 1).join('/'))}>
                  <span className="truncate">{name}</span>
                </CrumbButton>
              </span>
            ))}
          </nav>
          <div className="flex items-center gap-2">
            <IconButton label="Refresh" onClick={() => void load(dir)} disabled={loading}>
              <RotateCw aria-hidden className={`size-4 ${loading ? 'animate-spin' : ''}`} />
            </IconButton>
            <Button variant="secondary" onClick={() => inputRef.current?.click()}>
              <UploadIcon aria-hidden className="size-4" />
              Upload
            </Button>
            <input
              ref={inputRef}
              type="file"
              multiple
              aria-label="Choose files to upload into the VM"
              className="hidden"
              onChange={(e) => {
                if (e.target.files) uploads.start(dir, e.target.files);
                e.target.value = '';
              }}
            />
          </div>
        </div>

        <UploadList uploads={uploads.rows} onDismiss={uploads.dismiss} onClear={uploads.clear} />
        {error ? (
          <div className="px-4 py-3">
            <ErrorSentence>{error}</ErrorSentence>
          </div>
        ) : null}

        <div className="min-h-40 overflow-y-auto">
          {listing && listing.entries.length === 0 ? (
            <p className="px-4 py-8 text-center text-sm text-muted">This folder is empty. Upload files, or drop them here.</p>
          ) : null}
          {listing && listing.entries.length > 0 ? (
            <ul aria-label="Files" className="divide-y divide-line">
              {listing.entries.map((e) => (
                <EntryRow key={e.name} entry={e} href={homeUrl(sessionId, join(dir, e.name))} onOpen={() => void load(join(dir, e.name))} />
              ))}
            </ul>
          ) : null}
          {listing?.more ? <p className="px-4 py-2 text-xs text-muted">Only the first {listing.entries.length} entries are shown.</p> : null}
        </div>
        <p className="border-t border-line px-4 py-2 text-xs text-muted">Uploads land in the folder shown, as the VM’s user. Links are listed but not followed.</p>

        {drop.active ? (
          <div className="pointer-events-none absolute inset-0 grid place-items-center rounded-xl border-2 border-dashed border-accent bg-accent/10 text-sm font-medium text-accent">
            Drop to upload into {dir ? `“${dir}”` : 'the home'}
          </div>
        ) : null}
      </div>
    </dialog>
  );
}

function IconButton({ label, onClick, disabled, children }: { label: string; onClick(): void; disabled?: boolean; children: React.ReactNode }) {
  return (
    <button type="button" aria-label={label} title={label} onClick={onClick} disabled={disabled} className="grid size-9 shrink-0 place-items-center rounded-md text-muted hover:bg-sunken hover:text-ink disabled:opacity-60">
      {children}
    </button>
  );
}

function CrumbButton({ current, onClick, children }: { current: boolean; onClick(): void; children: React.ReactNode }) {
  return (
    <button
      type="button"
      aria-current={current ? 'location' : undefined}
      onClick={onClick}
      className={`inline-flex min-w-0 items-center gap-1 rounded px-1.5 py-1 hover:bg-sunken ${current ? 'font-medium text-ink' : 'text-muted hover:text-ink'}`}
    >
      {children}
    </button>
  );
}

function EntryRow({ entry, href, onOpen }: { entry: VmHomeEntry; href: string; onOpen(): void }) {
  const meta = <span className="shrink-0 text-xs text-muted tabular-nums">{entry.type === 'file' ? formatBytes(entry.bytes) : entry.type === 'link' ? 'link' : ''}</span>;
  const when = <span className="hidden w-28 shrink-0 text-right text-xs text-muted sm:inline">{relativeTime(entry.modifiedAt)}</span>;
  const row = 'flex items-center gap-3 px-4 py-2 text-sm';
  if (entry.type === 'dir') {
    return (
      <li data-testid="home-entry" data-name={entry.name} data-type="dir">
        <button type="button" onClick={onOpen} className={`${row} w-full text-left hover:bg-sunken`}>
          <Folder aria-hidden className="size-4 shrink-0 text-accent" />
          <span className="min-w-0 flex-1 truncate text-ink">{entry.name}</span>
          {when}
        </button>
      </li>
    );
  }
  if (entry.type === 'file') {
    return (
      <li data-testid="home-entry" data-name={entry.name} data-type="file" className={row}>
        <FileIcon aria-hidden className="size-4 shrink-0 text-muted" />
        <span className="min-w-0 flex-1 truncate text-ink">{entry.name}</span>
        {meta}
        {when}
        <a href={href} download={entry.name} aria-label={`Download ${entry.name}`} className="inline-flex h-8 items-center gap-1.5 rounded-md px-2 text-xs font-medium text-accent hover:bg-sunken">
          <Download aria-hidden className="size-3.5" />
          <span className="hidden sm:inline">Download</span>
        </a>
      </li>
    );
  }
  return (
    <li data-testid="home-entry" data-name={entry.name} data-type={entry.type} className={row}>
      <Link2 aria-hidden className="size-4 shrink-0 text-muted" />
      <span className="min-w-0 flex-1 truncate text-muted">{entry.name}</span>
      {meta}
      {when}
    </li>
  );
}

/** Uploads one after another (the server runs a few transfers at a time), each row with its progress. */
function useHomeUploads(sessionId: string, onUploaded: () => void) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const nextId = useRef(1);
  const queue = useRef(Promise.resolve());
  const latest = useRef(onUploaded);
  latest.current = onUploaded;

  const patch = (id: number, change: Partial<UploadRow>) => setRows((r) => r.map((u) => (u.id === id ? { ...u, ...change } : u)));

  function start(dir: string, files: FileList) {
    for (const file of Array.from(files)) {
      const id = nextId.current++;
      setRows((r) => [...r, { id, name: file.name, bytes: file.size, loaded: 0, state: 'uploading' }]);
      queue.current = queue.current.then(async () => {
        const outcome = await putFile(homeUrl(sessionId, join(dir, file.name)), file, (loaded) => patch(id, { loaded })).done;
        patch(id, outcome.ok ? { state: 'done', loaded: file.size } : { state: 'failed', message: outcome.message });
        latest.current();
      });
    }
  }

  return {
    rows,
    start,
    dismiss: (id: number) => setRows((r) => r.filter((u) => u.id !== id)),
    clear: () => setRows((r) => r.filter((u) => u.state === 'uploading')),
  };
}

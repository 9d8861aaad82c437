'use client';

import { Binary, FileX, X } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { rawPath } from '@/lib/client/build-paths';
import { filesPath } from '@/lib/client/files-api';
import { formatBytes } from '@/lib/protocol/format-units';
import type { FileView } from '@/lib/protocol/api';
import { ErrorSentence } from './error-sentence';


type Loaded = { state: 'loading' } | { state: 'ready'; view: FileView } | { state: 'error'; path: string; message: string };

type FileViewerProps = {
  projectId: string;
  path: string;
  /** Changes whenever the file does (its modifiedAt), so the viewer shows the latest text; null: deleted. */
  version: number | null;
  onClose(): void;
};

/** One file's text, as the server caps it; binary and truncated files say so. */
export function FileViewer({ projectId, path, version, onClose }: FileViewerProps) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    if (version === null) return;
    const ctrl = new AbortController();
    apiRequest<FileView>(filesPath(projectId, path), { signal: ctrl.signal }).then(
      (view) => setLoaded({ state: 'ready', view }),
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setLoaded({ state: 'error', path, message: err instanceof ApiError ? err.message : OFFLINE_SENTENCE });
      },
    );
    return () => ctrl.abort();
  }, [projectId, path, version]);

  const view = loaded.state === 'ready' && loaded.view.path === path ? loaded.view : null;

  return (
    <section aria-label={`Viewer: ${path}`} data-testid="file-viewer" className="border-t border-line">
      <header className="flex items-center gap-2 bg-sunken/60 px-5 py-2">
        <h3 className="min-w-0 flex-1 truncate font-mono text-xs font-medium text-ink">{path}</h3>
        {view ? <span className="shrink-0 text-xs text-muted tabular-nums">{formatBytes(view.bytes)}</span> : null}
        {/* The file itself with its own Content-Type, from the sandboxed preview origin (never this one). */}
        {version !== null ? (
          <a href={rawPath(projectId, path)} target="_blank" rel="noopener noreferrer" className="shrink-0 rounded px-1 text-xs font-medium text-accent hover:underline">
            Raw
          </a>
        ) : null}
        <button type="button" aria-label="Close the viewer" onClick={onClose} className="grid size-7 place-items-center rounded-md text-muted hover:bg-sunken hover:text-ink">
          <X aria-hidden className="size-4" />
        </button>
      </header>
      {version === null ? (
        <Notice icon={FileX}>This file was deleted.</Notice>
      ) : loaded.state === 'error' && loaded.path === path ? (
        <div className="px-5 py-4">
          <ErrorSentence>{loaded.message}</ErrorSentence>
        </div>
      ) : !view ? (
        <div role="status" className="animate-appear px-5 py-4 text-sm text-muted">
          Opening {path}…
        </div>
      ) : view.binary ? (
        <Notice icon={Binary}>This is a binary file ({formatBytes(view.bytes)}); it is not shown as text.</Notice>
      ) : (
        <>
          {view.truncated ? (
            <p className="border-b border-line px-5 py-2 text-xs text-muted">
              Showing the first {formatBytes(new TextEncoder().encode(view.content ?? '').length)} of {formatBytes(view.bytes)}: the file is too large to show whole.
            </p>
          ) : null}
          <CodeText text={view.content ?? ''} />
        </>
      )}
    </section>
  );
}

function CodeText({ text }: { text: string }) {
  if (text === '') return <p className="px-5 py-4 text-sm text-muted">This file is empty.</p>;
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return (
    <div data-testid="file-content" className="flex max-h-96 overflow-auto font-mono text-xs leading-5">
      <pre aria-hidden className="sticky left-0 shrink-0 select-none border-r border-line bg-surface px-3 py-3 text-right text-muted/70">
        {lines.map((_, i) => i + 1).join('\n')}
      </pre>
      <pre className="min-w-0 flex-1 px-3 py-3 text-ink">{lines.join('\n')}</pre>
    </div>
  );
}

function Notice({ icon: Icon, children }: { icon: typeof Binary; children: ReactNode }) {
  return (
    <p className="flex items-center gap-2 px-5 py-4 text-sm text-muted">
      <Icon aria-hidden className="size-4 shrink-0" />
      {children}
    </p>
  );
}

'use client';

import { ChevronRight, FileCode } from 'lucide-react';
import { useEffect, useState } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import type { WrittenFile } from '@/lib/client/build-view';
import { buildFilePath, rawPath } from '@/lib/client/build-paths';
import { filesPath } from '@/lib/client/files-api';
import { formatBytes } from '@/lib/protocol/format-units';
import { ErrorSentence } from './error-sentence';

type FileContent = { path: string; bytes: number; binary: boolean; content: string | null };

/**
 * The files a build wrote, each opening in place to show what is in it. With `buildId`, from that build's
 * own output (its page); without, from the workspace (the project page's latest build).
 */
export function BuildFiles({ projectId, buildId, files }: { projectId: string; buildId?: string; files: WrittenFile[] }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <ul aria-label="Files written" className="divide-y divide-line overflow-hidden rounded-lg border border-line">
      {files.map((file) => {
        const expanded = open === file.path;
        return (
          <li key={file.path} data-testid="written-file" data-path={file.path}>
            <div className="flex items-center gap-2 px-3 py-2 text-sm">
              <button
                type="button"
                aria-expanded={expanded}
                onClick={() => setOpen(expanded ? null : file.path)}
                className="-mx-1 flex min-w-0 flex-1 items-center gap-2 rounded-md px-1 text-left hover:text-accent"
              >
                <ChevronRight aria-hidden className={`size-3.5 shrink-0 text-muted transition-transform ${expanded ? 'rotate-90' : ''}`} />
                <FileCode aria-hidden className="size-4 shrink-0 text-muted" />
                <span className="truncate font-mono text-[13px] text-ink">{file.path}</span>
              </button>
              <span className="shrink-0 text-xs text-muted">{file.op}</span>
              <span className="w-16 shrink-0 text-right text-xs text-muted tabular-nums">{formatBytes(file.bytes)}</span>
              {/* The file itself, from the preview origin (a redirect there), not the viewer's JSON. */}
              <a href={rawPath(projectId, file.path, buildId)} target="_blank" rel="noopener noreferrer" className="shrink-0 rounded text-xs font-medium text-accent hover:underline">
                Raw<span className="sr-only"> {file.path}</span>
              </a>
            </div>
            {expanded ? <FilePreview url={buildId ? buildFilePath(projectId, buildId, file.path) : filesPath(projectId, file.path)} path={file.path} bytes={file.bytes} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

type Loaded = { state: 'loading' } | { state: 'ready'; file: FileContent } | { state: 'error'; message: string };

function FilePreview({ url, path, bytes }: { url: string; path: string; bytes: number }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useEffect(() => {
    const ctrl = new AbortController();
    apiRequest<FileContent>(url, { signal: ctrl.signal }).then(
      (file) => setLoaded({ state: 'ready', file }),
      (err: unknown) => {
        if (!ctrl.signal.aborted) setLoaded({ state: 'error', message: err instanceof ApiError ? err.message : OFFLINE_SENTENCE });
      },
    );
    return () => ctrl.abort();
    // `bytes` changes when a later build rewrites the file: show the new text.
  }, [url, bytes]);

  if (loaded.state === 'error') return <ErrorSentence className="mx-3 mb-3">{loaded.message}</ErrorSentence>;
  if (loaded.state === 'loading') return <p className="animate-appear px-3 pb-3 text-xs text-muted">Opening {path}…</p>;
  const { file } = loaded;
  return (
    <pre aria-label={`Contents of ${path}`} className="max-h-80 overflow-auto border-t border-line bg-sunken/60 px-3 py-2 font-mono text-xs leading-5 text-ink/85">
      {file.binary || file.content === null ? 'This is a binary file.' : file.content}
    </pre>
  );
}

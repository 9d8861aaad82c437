'use client';

import { FolderOpen, Upload as UploadIcon } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { useDropZone } from '@/lib/client/use-drop-zone';
import { filesPath, uploadFile, type Upload } from '@/lib/client/files-api';
import { formatBytes } from '@/lib/protocol/format-units';
import { useHubTopic } from '@/lib/client/use-hub-topic';
import { applyChange, asFileChange, buildTree, filesFrom, totalBytes, type FileChange, type Files } from '@/lib/client/workspace-tree';
import { Button } from './button';
import { ConfirmDialog } from './confirm-dialog';
import { ConnectionBadge } from './connection-badge';
import { EmptyState } from './empty-state';
import { ErrorSentence } from './error-sentence';
import { FileTree } from './file-tree';
import { FileViewer } from './file-viewer';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';
import { Panel } from './panel';
import { UploadList, type UploadRow } from './upload-list';
import { projectFilesTopic } from '@/lib/protocol/topics';

type TreeEntry = { path: string; bytes: number; modifiedAt: number };

/**
 * The project's workspace, live: the tree from `GET …/files`, kept current by the `project:<id>:files`
 * topic (whatever changes on disk: builds, uploads, other processes), a viewer, uploads and deletes.
 */
export function FileManager({ projectId }: { projectId: string }) {
  const [files, setFiles] = useState<Files | null>(null);
  const [loadError, setLoadError] = useState<{ message: string; status: number } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  // While a fetch of the tree is in flight, live events are kept here too and replayed over its answer:
  // the listing may have been read before they happened. Changes are idempotent, so overlap is harmless.
  const inFlight = useRef<{ id: number; changes: FileChange[] } | null>(null);
  const fetchId = useRef(0);

  const refetch = useCallback(() => {
    const id = ++fetchId.current;
    inFlight.current = { id, changes: [] };
    apiRequest<TreeEntry[]>(filesPath(projectId)).then(
      (list) => {
        if (inFlight.current?.id !== id) return;
        const replay = inFlight.current.changes;
        inFlight.current = null;
        setFiles(replay.reduce((f, c) => applyChange(f, c), filesFrom(list)));
        setLoadError(null);
      },
      (err: unknown) => {
        if (inFlight.current?.id !== id) return;
        inFlight.current = null;
        setLoadError(err instanceof ApiError ? { message: err.message, status: err.status } : { message: OFFLINE_SENTENCE, status: 0 });
      },
    );
  }, [projectId]);

  // The tree loads at once even if the socket cannot open; every (re)subscription fetches it again.
  useEffect(() => refetch(), [refetch]);

  const hub = useHubTopic({
    topic: projectFilesTopic(projectId),
    onSync: refetch,
    onEvent(data) {
      const change = asFileChange(data);
      if (!change) return;
      inFlight.current?.changes.push(change);
      setFiles((f) => (f ? applyChange(f, change) : f));
    },
  });

  const uploads = useUploads(projectId, (change) => setFiles((f) => (f ? applyChange(f, change) : f)));
  const deletion = useDeletion(projectId, (path) => {
    setFiles((f) => (f ? applyChange(f, { op: 'deleted', path }) : f));
    setSelected((s) => (s === path ? null : s));
  });

  const tree = useMemo(() => (files ? buildTree(files) : null), [files]);
  const inputRef = useRef<HTMLInputElement>(null);
  const drop = useDropZone(uploads.start);

  return (
    <Panel
      id="files"
      title="Files"
      description={files && files.size > 0 ? `${files.size} ${files.size === 1 ? 'file' : 'files'} · ${formatBytes(totalBytes(files))}` : 'The project’s workspace, as it changes.'}
      aside={<ConnectionBadge state={hub.state} label="Live file updates" />}
    >
      <div {...drop.handlers} className="relative">
        <div className="flex items-center gap-3 border-b border-line px-5 py-3">
          <Button variant="secondary" onClick={() => inputRef.current?.click()}>
            <UploadIcon aria-hidden className="size-4" />
            Upload files
          </Button>
          <span className="text-xs text-muted">or drop them here</span>
          <input
            ref={inputRef}
            type="file"
            multiple
            aria-label="Choose files to upload"
            className="hidden"
            onChange={(e) => {
              if (e.target.files) uploads.start(e.target.files);
              e.target.value = '';
            }}
          />
        </div>

        {hub.problem?.final ? (
          <div className="flex items-center gap-3 border-b border-line px-5 py-3">
            <ErrorSentence className="flex-1">{`${hub.problem.sentence} Live updates are off.`}</ErrorSentence>
            <Button variant="secondary" onClick={hub.reconnect}>
              Reconnect
            </Button>
          </div>
        ) : hub.topicError ? (
          <div className="border-b border-line px-5 py-3">
            <ErrorSentence>{hub.topicError}</ErrorSentence>
          </div>
        ) : null}

        <UploadList uploads={uploads.rows} onDismiss={uploads.dismiss} onClear={uploads.clearFinished} />

        {loadError && !files ? <LoadError message={loadError.message} status={loadError.status} onRetry={refetch} /> : null}
        {!files && !loadError ? <ListSkeleton label="Loading files…" rows={4} /> : null}
        {tree && files?.size === 0 ? (
          <EmptyState icon={FolderOpen} title="No files yet">
            Start a build, or upload files: they appear here as they are written.
          </EmptyState>
        ) : null}
        {tree && files && files.size > 0 ? (
          <div className="max-h-[28rem] overflow-y-auto">
            <FileTree tree={tree} selected={selected} onOpen={setSelected} onDelete={deletion.ask} />
          </div>
        ) : null}

        {selected && files ? (
          <FileViewer projectId={projectId} path={selected} version={files.get(selected)?.modifiedAt ?? null} onClose={() => setSelected(null)} />
        ) : null}

        {drop.active ? (
          <div aria-hidden className="pointer-events-none absolute inset-2 grid place-items-center rounded-lg border-2 border-dashed border-accent bg-surface/85 text-sm font-medium text-accent">
            Drop to upload to the workspace
          </div>
        ) : null}
      </div>

      <ConfirmDialog
        open={deletion.path !== null}
        title={`Delete ${deletion.path ?? ''}?`}
        confirmLabel={deletion.busy ? 'Deleting…' : 'Delete'}
        pending={deletion.busy}
        error={deletion.error}
        onConfirm={deletion.confirm}
        onCancel={deletion.cancel}
      >
        It is removed from the project’s workspace on disk. This cannot be undone.
      </ConfirmDialog>
    </Panel>
  );
}

/** Uploads in flight and done, one row each; every request is aborted if the panel goes away. */
function useUploads(projectId: string, onUploaded: (change: FileChange) => void) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const nextId = useRef(1);
  const active = useRef(new Map<number, Upload>());
  const latest = useRef(onUploaded);
  latest.current = onUploaded;

  useEffect(() => {
    const requests = active.current;
    return () => {
      for (const upload of requests.values()) upload.abort();
      requests.clear();
    };
  }, []);

  const patch = (id: number, change: Partial<UploadRow>) => setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...change } : r)));

  const start = useCallback(
    (list: FileList | File[]) => {
      for (const file of Array.from(list)) {
        const id = nextId.current++;
        setRows((rs) => [...rs, { id, name: file.name, bytes: file.size, loaded: 0, state: 'uploading' }]);
        const upload = uploadFile(projectId, file.name, file, (loaded) => patch(id, { loaded }));
        active.current.set(id, upload);
        void upload.done.then((outcome) => {
          active.current.delete(id);
          if (outcome.ok) {
            patch(id, { state: 'done', loaded: file.size });
            latest.current({ op: outcome.status === 201 ? 'created' : 'changed', path: file.name, bytes: file.size });
          } else {
            patch(id, { state: 'failed', message: outcome.message });
          }
        });
      }
    },
    [projectId],
  );

  return {
    rows,
    start,
    dismiss: (id: number) => setRows((rs) => rs.filter((r) => r.id !== id)),
    clearFinished: () => setRows((rs) => rs.filter((r) => r.state === 'uploading')),
  };
}

function useDeletion(projectId: string, onDeleted: (path: string) => void) {
  const [path, setPath] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    path,
    busy,
    error,
    ask(p: string) {
      setError(null);
      setPath(p);
    },
    cancel() {
      setPath(null);
      setError(null);
    },
    async confirm() {
      if (!path) return;
      setBusy(true);
      setError(null);
      try {
        await apiRequest(filesPath(projectId, path), { method: 'DELETE' });
        onDeleted(path);
        setPath(null);
      } catch (err) {
        // Already gone (another tab, a build) is what the person wanted anyway.
        if (err instanceof ApiError && err.status === 404) {
          onDeleted(path);
          setPath(null);
        } else setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
      } finally {
        setBusy(false);
      }
    },
  };
}

import type { TreeEntry } from '../protocol/api';
import type { FileChange } from '../protocol/hub';

// The FileManager's model of a workspace: a flat map of files kept in step with the `project:<id>:files`
// topic, and the folder tree drawn from it. Applying a change is idempotent (a create for a file already
// listed, a delete for one already gone), so events that overlap a refetch of the tree do no harm.

export type WorkspaceFile = {
  path: string;
  bytes: number;
  modifiedAt: number;
  /** When a live event last touched it (this tab's clock); absent for files listed by the initial fetch. */
  touchedAt?: number;
};

export type { FileChange } from '../protocol/hub';

export type Folder = { name: string; path: string; folders: Folder[]; files: WorkspaceFile[] };

export type Files = ReadonlyMap<string, WorkspaceFile>;

export function filesFrom(list: readonly TreeEntry[]): Files {
  return new Map(list.map((f) => [f.path, { path: f.path, bytes: f.bytes, modifiedAt: f.modifiedAt }]));
}

/** A topic event's data, if it is one (the hub relays whatever a backend emitted, so check its shape). */
export function asFileChange(data: unknown): FileChange | null {
  if (!data || typeof data !== 'object') return null;
  const { op, path, bytes } = data as Record<string, unknown>;
  if (op !== 'created' && op !== 'changed' && op !== 'deleted') return null;
  if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.split('/').includes('..')) return null;
  return { op, path, ...(typeof bytes === 'number' && bytes >= 0 ? { bytes } : {}) };
}

export function applyChange(files: Files, change: FileChange, now = Date.now()): Files {
  const next = new Map(files);
  if (change.op === 'deleted') {
    if (!next.delete(change.path)) return files;
    return next;
  }
  const before = files.get(change.path);
  next.set(change.path, { path: change.path, bytes: change.bytes ?? before?.bytes ?? 0, modifiedAt: now, touchedAt: now });
  return next;
}

/** Folders first, then files, each sorted by name the way a file browser sorts them. */
export function buildTree(files: Files): Folder {
  const root: Folder = { name: '', path: '', folders: [], files: [] };
  for (const file of files.values()) {
    const parts = file.path.split('/');
    let folder = root;
    for (const name of parts.slice(0, -1)) {
      const path = folder.path ? `${folder.path}/${name}` : name;
      let child = folder.folders.find((f) => f.name === name);
      if (!child) {
        child = { name, path, folders: [], files: [] };
        folder.folders.push(child);
      }
      folder = child;
    }
    folder.files.push(file);
  }
  sortFolder(root);
  return root;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortFolder(folder: Folder): void {
  folder.folders.sort((a, b) => collator.compare(a.name, b.name));
  folder.files.sort((a, b) => collator.compare(baseName(a.path), baseName(b.path)));
  for (const f of folder.folders) sortFolder(f);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function totalBytes(files: Files): number {
  let sum = 0;
  for (const f of files.values()) sum += f.bytes;
  return sum;
}

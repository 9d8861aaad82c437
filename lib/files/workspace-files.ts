import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { StorageCharge } from '../quotas/storage-meter';
import { formatBytes } from '../protocol/format-units';
import { PathError, moveIntoPlace, resolveInside, tempPathFor } from '../build/workspace';
import type { FileView, TreeEntry } from '../protocol/api';

// A project's workspace as the FileManager sees it: a tree, one file's text, uploads and deletes. Every
// path goes through resolveInside, so nothing here can reach outside the workspace.

export type { TreeEntry } from '../protocol/api';

const MAX_TREE_ENTRIES = 5000;
export const MAX_VIEW_BYTES = 256 * 1024;

export async function listTree(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  async function walk(dir: string) {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (out.length >= MAX_TREE_ENTRIES) return;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) {
        const st = await fs.stat(abs).catch(() => null);
        if (st) out.push({ path: path.relative(root, abs).split(path.sep).join('/'), bytes: st.size, modifiedAt: Math.round(st.mtimeMs) });
      }
    }
  }
  await walk(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export type { FileView } from '../protocol/api';

/** One file for the viewer: text up to MAX_VIEW_BYTES; binary files are named as such, not sent. */
export async function readForView(root: string, rel: string): Promise<FileView | null> {
  const abs = await resolveInside(root, rel);
  const st = await fs.stat(abs).catch(() => null);
  if (!st?.isFile()) return null;
  const handle = await fs.open(abs, 'r');
  try {
    const size = Math.min(st.size, MAX_VIEW_BYTES);
    const buf = Buffer.alloc(size);
    await handle.read(buf, 0, size, 0);
    const binary = looksBinary(buf);
    const clean = path.relative(root, abs).split(path.sep).join('/');
    return { path: clean, bytes: st.size, binary, truncated: st.size > MAX_VIEW_BYTES, content: binary ? null : buf.toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** Heuristic of git and most editors: a NUL byte, or invalid UTF-8, means binary. */
export function looksBinary(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, Math.max(0, buf.length - 3)));
    return false;
  } catch {
    return true;
  }
}

export class TooLarge extends Error {}

/**
 * Streams an upload into the workspace, refusing it past maxBytes, or once `storage` says the user's
 * quota is full, without keeping a partial file.
 */
export async function writeUpload(
  root: string,
  rel: string,
  body: Readable,
  maxBytes: number,
  storage?: StorageCharge,
): Promise<{ path: string; bytes: number; op: 'created' | 'updated' }> {
  let tmp: string | undefined;
  try {
    const abs = await resolveInside(root, rel);
    const previous = await fs.stat(abs).catch(() => null);
    tmp = await tempPathFor(root);
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > maxBytes) return cb(new TooLarge(`The file is larger than ${formatBytes(maxBytes)}.`));
        try {
          storage?.add(chunk.length);
        } catch (err) {
          return cb(err as Error);
        }
        cb(null, chunk);
      },
    });
    await pipeline(body, limit, createWriteStream(tmp));
    await moveIntoPlace(tmp, abs, rel);
    storage?.commit(previous !== null);
    return { path: path.relative(root, abs).split(path.sep).join('/'), bytes, op: previous ? 'updated' : 'created' };
  } catch (err) {
    storage?.cancel();
    if (tmp) await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function deleteFile(root: string, rel: string): Promise<boolean> {
  const abs = await resolveInside(root, rel);
  const st = await fs.lstat(abs).catch(() => null);
  if (!st) return false;
  if (!st.isFile()) throw new PathError(`"${rel}" is not a file.`);
  await fs.rm(abs);
  // Leave no empty folders behind the file, up to the workspace itself.
  let dir = path.dirname(abs);
  while (dir.startsWith(root + path.sep)) {
    if ((await fs.readdir(dir)).length) break;
    await fs.rmdir(dir);
    dir = path.dirname(dir);
  }
  return true;
}

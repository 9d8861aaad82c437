import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

// A project's files live in DATA_DIR/workspaces/<projectId>. Every path that reaches the disk comes from
// outside (a model, an upload), so each one is checked here, and nothing may land outside the workspace:
// no absolute paths, no `..`, no writing through a symlink that points elsewhere.

export class PathError extends Error {}

const MAX_PATH_CHARS = 200;
const MAX_DEPTH = 8;

export function workspaceDir(dataDir: string, projectId: string): string {
  return path.join(dataDir, 'workspaces', projectId);
}

/** Deletes a project's files with the project: left on disk, they would count against nobody's quota. */
export async function removeWorkspace(dataDir: string, projectId: string): Promise<void> {
  await fs.rm(workspaceDir(dataDir, projectId), { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A fresh name for a file being written into the workspace `root`: random, so concurrent writers never
 * share one, and in DATA_DIR/tmp, outside every workspace, so no listing has to hide it, the watcher never
 * reports it and no user file can be mistaken for one. Same filesystem as the workspaces, so the final
 * rename is atomic: a reader sees the old file or the new one, and the last writer wins whole.
 */
export async function tempPathFor(root: string): Promise<string> {
  const dir = path.join(path.dirname(path.dirname(root)), 'tmp');
  await fs.mkdir(dir, { recursive: true });
  return path.join(dir, `${randomBytes(16).toString('hex')}.part`);
}

/**
 * Removes temp files a crashed writer left in DATA_DIR/tmp. Only old ones: another process (a gateway
 * beside a standalone backend) may be writing the young ones right now.
 */
export async function sweepStaleTemp(dataDir: string, olderThanMs = 60 * 60 * 1000): Promise<number> {
  const dir = path.join(dataDir, 'tmp');
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const st = await fs.lstat(path.join(dir, name)).catch(() => null);
    if (!st?.isFile() || Date.now() - st.mtimeMs < olderThanMs) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/** Moves a finished temp file into place; a folder or file in the way becomes a PathError, not a crash. */
export async function moveIntoPlace(tmp: string, target: string, relative: string): Promise<void> {
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new PathError(`"${printable(relative)}" cannot be created: part of its path is a file.`);
    if (code === 'EISDIR' || code === 'ENOTEMPTY') throw new PathError(`"${printable(relative)}" is a folder.`);
    throw err;
  }
}

/** Normalises a relative workspace path, or throws a PathError that says what is wrong with it. */
export function cleanRelativePath(input: string): string {
  if (typeof input !== 'string' || input.trim() === '') throw new PathError('The file name is empty.');
  if (input.length > MAX_PATH_CHARS) throw new PathError(`The path is longer than ${MAX_PATH_CHARS} characters.`);
  if (/[\u0000-\u001f\\]/.test(input)) throw new PathError(`"${printable(input)}" contains a control character or a backslash.`);
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) throw new PathError(`"${printable(input)}" is an absolute path; paths are relative to the project.`);
  const parts = input.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new PathError(`"${printable(input)}" climbs out of the project with "..".`);
  if (parts.length === 0) throw new PathError('The file name is empty.');
  if (parts.length > MAX_DEPTH) throw new PathError(`"${printable(input)}" is nested deeper than ${MAX_DEPTH} folders.`);
  return parts.join('/');
}

/** The absolute path of a workspace file, after checking that it stays inside the workspace on disk. */
export async function resolveInside(root: string, relative: string): Promise<string> {
  const clean = cleanRelativePath(relative);
  const target = path.resolve(root, clean);
  if (!target.startsWith(root + path.sep)) throw new PathError(`"${printable(relative)}" is outside the project.`);
  // A symlink anywhere on the way could point outside: compare real paths of what already exists.
  await fs.mkdir(root, { recursive: true });
  const realRoot = await fs.realpath(root);
  let probe = path.dirname(target);
  while (probe.length >= root.length) {
    const real = await fs.realpath(probe).catch(() => null);
    if (real !== null) {
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw new PathError(`"${printable(relative)}" leads outside the project.`);
      if (!(await fs.stat(real)).isDirectory()) {
        const file = path.relative(root, probe).split(path.sep).join('/');
        throw new PathError(`"${printable(file)}" is a file, so "${printable(relative)}" cannot be created inside it.`);
      }
      break;
    }
    probe = path.dirname(probe);
  }
  const existing = await fs.lstat(target).catch(() => null);
  if (existing?.isSymbolicLink()) throw new PathError(`"${printable(relative)}" is a symbolic link; it will not be written through.`);
  if (existing?.isDirectory()) throw new PathError(`"${printable(relative)}" is a folder.`);
  return target;
}

export async function writeWorkspaceFile(root: string, relative: string, content: string | Buffer): Promise<{ path: string; bytes: number; op: 'created' | 'updated' }> {
  const target = await resolveInside(root, relative);
  const existed = await fs.stat(target).then(() => true, () => false);
  const tmp = await tempPathFor(root);
  try {
    await fs.writeFile(tmp, content);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await moveIntoPlace(tmp, target, relative);
  return { path: path.relative(root, target).split(path.sep).join('/'), bytes: Buffer.byteLength(content), op: existed ? 'updated' : 'created' };
}

function printable(s: string): string {
  return s.replace(/[\u0000-\u001f]/g, '?').slice(0, 80);
}

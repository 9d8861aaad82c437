import fs from 'node:fs/promises';
import path from 'node:path';
import { unifiedDiff } from '../diff/line-diff';
import { listTree, looksBinary } from '../files/workspace-files';
import type { DirDiff, FileChangeKind, FileDiff } from '../protocol/api';

// What a build changed: each file of its output against the output of the project's previous
// successful build. Bounded like every answer: at most MAX_DIFF_FILES files are compared (the rest are
// counted), a file larger than MAX_DIFF_FILE_BYTES is named but not read, line diffs have their own
// bound (lib/diff/line-diff.ts), and all the diffs of one answer together stay under MAX_DIFF_TOTAL_CHARS.
// Past a bound a file says `tooLarge`, never a partial diff.

export const MAX_DIFF_FILES = 200;
export const MAX_DIFF_FILE_BYTES = 256 * 1024;
export const MAX_DIFF_TOTAL_CHARS = 2 * 1024 * 1024;

export type { DirDiff, FileChangeKind, FileDiff } from '../protocol/api';

/** `before` null: no previous output, every file is added. Missing folders count as empty. */
export async function diffDirs(before: string | null, after: string): Promise<DirDiff> {
  const [old, now] = await Promise.all([before ? listTree(before) : [], listTree(after)]);
  const oldSizes = new Map(old.map((f) => [f.path, f.bytes]));
  const newSizes = new Map(now.map((f) => [f.path, f.bytes]));
  const paths = [...new Set([...oldSizes.keys(), ...newSizes.keys()])].sort((a, b) => a.localeCompare(b));
  const files: FileDiff[] = [];
  let unchanged = 0;
  let notCompared = 0;
  let total = 0;
  for (const p of paths) {
    if (files.length + unchanged >= MAX_DIFF_FILES) {
      notCompared++;
      continue;
    }
    const a = oldSizes.has(p) ? await readBounded(before!, p, oldSizes.get(p)!) : null;
    const b = newSizes.has(p) ? await readBounded(after, p, newSizes.get(p)!) : null;
    const change: FileChangeKind = a === null ? 'added' : b === null ? 'removed' : 'changed';
    if (a && b && !a.tooLarge && !b.tooLarge && a.bytes.equals(b.bytes)) {
      unchanged++;
      continue;
    }
    const tooLarge = !!(a?.tooLarge || b?.tooLarge);
    const binary = !tooLarge && !!((a && looksBinary(a.bytes)) || (b && looksBinary(b.bytes)));
    let diff = tooLarge || binary ? null : unifiedDiff(a?.bytes.toString('utf8') ?? '', b?.bytes.toString('utf8') ?? '');
    if (diff !== null && total + diff.length > MAX_DIFF_TOTAL_CHARS) diff = null;
    total += diff?.length ?? 0;
    const counted = diff ?? '';
    files.push({
      path: p,
      change,
      diff,
      binary,
      tooLarge: tooLarge || (!binary && diff === null),
      added: (counted.match(/^\+/gm) ?? []).length,
      removed: (counted.match(/^-/gm) ?? []).length,
    });
  }
  return { files, unchanged, notCompared };
}

async function readBounded(root: string, rel: string, size: number): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  if (size > MAX_DIFF_FILE_BYTES) return { bytes: Buffer.alloc(0), tooLarge: true };
  // listTree walked real files inside root (it does not follow symlinks), so the path is inside.
  const bytes = await fs.readFile(path.join(root, rel)).catch(() => Buffer.alloc(0));
  return { bytes: bytes.length > MAX_DIFF_FILE_BYTES ? Buffer.alloc(0) : bytes, tooLarge: bytes.length > MAX_DIFF_FILE_BYTES };
}

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PathError, cleanRelativePath, sweepStaleTemp, writeWorkspaceFile } from './workspace';

test('paths are cleaned or refused with a sentence', () => {
  assert.equal(cleanRelativePath('./src//app.js'), 'src/app.js');
  for (const bad of ['', '../x', '/etc/passwd', 'a/../../b', 'C:/x', 'a\\b', 'a\u0000b', 'a/'.repeat(9) + 'x']) {
    assert.throws(() => cleanRelativePath(bad), PathError, JSON.stringify(bad));
  }
});

test('a write never follows a symlink out of the workspace', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-ws-'));
  // The layout of DATA_DIR: writes go through DATA_DIR/tmp, beside workspaces/.
  const root = path.join(base, 'workspaces', 'ws');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(outside);
  fs.symlinkSync(outside, path.join(root, 'link'));
  fs.symlinkSync(path.join(outside, 'f.txt'), path.join(root, 'file-link'));
  try {
    await assert.rejects(writeWorkspaceFile(root, 'link/evil.txt', 'x'), /leads outside the project/);
    await assert.rejects(writeWorkspaceFile(root, 'file-link', 'x'), /symbolic link/);
    assert.deepEqual(fs.readdirSync(outside), []);
    const ok = await writeWorkspaceFile(root, 'sub/dir/ok.txt', 'hello');
    assert.deepEqual(ok, { path: 'sub/dir/ok.txt', bytes: 5, op: 'created' });
    assert.equal((await writeWorkspaceFile(root, 'sub/dir/ok.txt', 'again')).op, 'updated');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a sweep removes only the temp files a crashed writer left long ago', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-sweep-'));
  try {
    fs.mkdirSync(path.join(dataDir, 'tmp'));
    fs.writeFileSync(path.join(dataDir, 'tmp', 'old.part'), 'x');
    fs.writeFileSync(path.join(dataDir, 'tmp', 'young.part'), 'y');
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
    fs.utimesSync(path.join(dataDir, 'tmp', 'old.part'), dayAgo, dayAgo);
    assert.equal(await sweepStaleTemp(dataDir), 1);
    assert.deepEqual(fs.readdirSync(path.join(dataDir, 'tmp')), ['young.part']);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

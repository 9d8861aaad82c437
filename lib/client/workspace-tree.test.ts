import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyChange, asFileChange, buildTree, filesFrom } from './workspace-tree';

const listed = filesFrom([
  { path: 'index.html', bytes: 10, modifiedAt: 1 },
  { path: 'src/app.js', bytes: 20, modifiedAt: 1 },
  { path: 'src/lib/util.js', bytes: 5, modifiedAt: 1 },
  { path: 'README.md', bytes: 3, modifiedAt: 1 },
]);

describe('applyChange', () => {
  test('adds a created file and marks it as touched', () => {
    const next = applyChange(listed, { op: 'created', path: 'notes.txt', bytes: 4 }, 99);
    assert.deepEqual(next.get('notes.txt'), { path: 'notes.txt', bytes: 4, modifiedAt: 99, touchedAt: 99 });
    assert.equal(listed.has('notes.txt'), false, 'the old map is left alone');
  });

  test('a change keeps the known size when the event carries none', () => {
    assert.equal(applyChange(listed, { op: 'changed', path: 'index.html' }).get('index.html')?.bytes, 10);
  });

  test('is idempotent: a second delete or create changes nothing', () => {
    const once = applyChange(listed, { op: 'deleted', path: 'README.md' });
    assert.equal(applyChange(once, { op: 'deleted', path: 'README.md' }), once);
    const created = applyChange(listed, { op: 'created', path: 'x', bytes: 1 }, 5);
    assert.deepEqual(applyChange(created, { op: 'created', path: 'x', bytes: 1 }, 5), created);
  });
});

describe('asFileChange', () => {
  test('accepts the watcher’s events and refuses anything else', () => {
    assert.deepEqual(asFileChange({ op: 'created', path: 'a/b.txt', bytes: 2 }), { op: 'created', path: 'a/b.txt', bytes: 2 });
    assert.deepEqual(asFileChange({ op: 'deleted', path: 'a' }), { op: 'deleted', path: 'a' });
    assert.equal(asFileChange({ op: 'renamed', path: 'a' }), null);
    assert.equal(asFileChange({ op: 'created', path: '../etc/passwd' }), null);
    assert.equal(asFileChange({ op: 'created', path: '/abs' }), null);
    assert.equal(asFileChange('created'), null);
  });
});

describe('buildTree', () => {
  test('nests files in folders, folders first, names sorted naturally', () => {
    const tree = buildTree(applyChange(listed, { op: 'created', path: 'file10.txt', bytes: 1 }));
    assert.deepEqual(tree.folders.map((f) => f.path), ['src']);
    assert.deepEqual(tree.files.map((f) => f.path), ['file10.txt', 'index.html', 'README.md']);
    assert.deepEqual(tree.folders[0].folders.map((f) => f.path), ['src/lib']);
    assert.deepEqual(tree.folders[0].folders[0].files.map((f) => f.path), ['src/lib/util.js']);
  });
});

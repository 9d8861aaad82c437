import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { homeImage, isMounted, mountHomeImage, mountsUnder, sweepHomeMounts, unmountAll, vmHomeBytes } from './vm-home';

const MiB = 1024 ** 2;

describe('a VM home image', { skip: process.getuid?.() !== 0 ? 'needs root to loop-mount' : false }, () => {
  let root: string;
  before(() => {
    // A space in the path: mountinfo escapes it, and the sweep must still find the mount.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'portico vm home-'));
  });
  after(async () => {
    await unmountAll(root);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a plain home moves into a fresh image, which costs the host only what it holds', async () => {
    const dir = path.join(root, 's1');
    const home = path.join(dir, 'home');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, 'old.txt'), 'from before images');
    await mountHomeImage(dir, home, 32 * MiB);
    assert.ok(isMounted(home));
    assert.deepEqual(mountsUnder(root), [home]);
    assert.deepEqual(fs.readdirSync(home), ['old.txt']);
    assert.ok(!fs.existsSync(`${home}.old`));
    assert.equal(fs.statSync(homeImage(dir)).size, 32 * MiB);
    const empty = await vmHomeBytes(dir);
    assert.ok(empty < 4 * MiB, `a fresh image takes ${empty} bytes`);

    fs.writeFileSync(path.join(home, 'f'), Buffer.alloc(8 * MiB, 1));
    execFileSync('sync', ['-f', home]);
    assert.ok((await vmHomeBytes(dir)) >= empty + 8 * MiB);
    fs.rmSync(path.join(home, 'f'));
    execFileSync('sync', ['-f', home]);
    // The discard follows the journal's commit by a moment; nothing announces it.
    for (const until = Date.now() + 10_000; (await vmHomeBytes(dir)) >= empty + 2 * MiB && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await vmHomeBytes(dir)) < empty + 2 * MiB, "a deleted file still takes the host's disk");
    assert.throws(() => fs.writeFileSync(path.join(home, 'big'), Buffer.alloc(40 * MiB, 1)), /ENOSPC/);
    fs.rmSync(path.join(home, 'big'), { force: true });
  });

  test('a crash leaves the mount; the sweep removes it, and the files come back with the next mount', async () => {
    const dir = path.join(root, 's1');
    const home = path.join(dir, 'home');
    assert.equal(sweepHomeMounts(root), 1);
    assert.deepEqual(mountsUnder(root), []);
    assert.deepEqual(fs.readdirSync(home), []);
    await mountHomeImage(dir, home, 32 * MiB);
    assert.deepEqual(fs.readdirSync(home), ['old.txt']);
    await unmountAll(dir);
    assert.deepEqual(mountsUnder(root), []);
  });
});

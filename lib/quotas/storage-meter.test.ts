import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../store/db';
import { createProjects } from '../store/projects';
import { createBuilds } from '../store/builds';
import { createUsers } from '../store/users';
import { workspaceDir } from '../build/workspace';
import { buildOutputDir } from '../build/build-output';
import { StorageQuotaExceeded, createStorageMeter } from './storage-meter';

describe('createStorageMeter', () => {
  let dataDir: string;
  let store: Store;
  let ownerId: string;
  let projectId: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-meter-'));
    store = await openStore(dataDir);
    ownerId = (await createUsers(store.db).create({ username: 'meter', passwordHash: 'x', role: 'user' }))!.id;
    projectId = (await createProjects(store.db).create(ownerId, 'p')).id;
    const ws = workspaceDir(dataDir, projectId);
    fs.mkdirSync(path.join(ws, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'a.bin'), Buffer.alloc(300));
    fs.writeFileSync(path.join(ws, 'sub', 'b.bin'), Buffer.alloc(200));
  });
  after(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const meter = () => createStorageMeter({ dataDir, projects: createProjects(store.db), builds: createBuilds(store.db), limitBytes: 1000 });

  test("measures the bytes in the owner's workspaces", async () => {
    assert.equal(await meter().usage(ownerId), 500);
  });

  test('counts bytes still arriving, so two writes cannot share the same room', async () => {
    const m = meter();
    const first = await m.charge(ownerId);
    const second = await m.charge(ownerId);
    first.add(400);
    assert.throws(() => second.add(200), StorageQuotaExceeded);
    assert.equal(await m.usage(ownerId), 900);
    first.cancel();
    second.add(200);
    second.commit(false);
    assert.equal(await m.usage(ownerId), 700);
  });

  test("counts the project's build folders too, and only that project's", async () => {
    const builds = createBuilds(store.db);
    const mine = await builds.create({ projectId, userId: ownerId, prompt: 'x' });
    const other = await createUsers(store.db).create({ username: 'meter-other', passwordHash: 'x', role: 'user' });
    const theirs = await builds.create({ projectId: (await createProjects(store.db).create(other!.id, 'q')).id, userId: other!.id, prompt: 'y' });
    for (const [id, bytes] of [[mine.id, 120], [theirs.id, 300]] as const) {
      fs.mkdirSync(buildOutputDir(dataDir, id), { recursive: true });
      fs.writeFileSync(path.join(buildOutputDir(dataDir, id), 'index.html'), Buffer.alloc(bytes));
    }
    try {
      assert.equal(await meter().usage(ownerId), 620);
      assert.equal(await meter().usage(other!.id), 300);
    } finally {
      for (const id of [mine.id, theirs.id]) fs.rmSync(path.join(dataDir, 'builds', id), { recursive: true, force: true });
    }
  });

  test('refuses at once when the owner is already at the limit, with a sentence', async () => {
    const m = meter();
    const fill = await m.charge(ownerId);
    fill.add(500);
    fill.commit(false);
    await assert.rejects(m.charge(ownerId), /your account may store 1000 bytes/);
    m.forget(ownerId);
    assert.equal(await m.usage(ownerId), 500, 'measured again from the disk');
  });
});

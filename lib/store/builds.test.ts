import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { openStore } from './db';
import { createBuilds } from './builds';
import { createProjects } from './projects';
import { createUsers } from './users';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-builds-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('previousSucceeded: the last successful build of the same project before the given one', async () => {
  const store = await openStore(dataDir);
  try {
    const builds = createBuilds(store.db);
    const owner = (await createUsers(store.db).create({ username: 'b', passwordHash: 'x', role: 'user' }))!.id;
    const [p, other] = [await createProjects(store.db).create(owner, 'p'), await createProjects(store.db).create(owner, 'q')];
    const make = async (projectId: string, status: 'succeeded' | 'failed' | 'cancelled') => {
      const b = await builds.create({ projectId, userId: owner, prompt: 'x' });
      await builds.finish(b.id, { status, summary: '', files: [], startedAt: b.created_at });
      await new Promise((r) => setTimeout(r, 2)); // distinct created_at
      return b.id;
    };
    const a = await make(p.id, 'succeeded');
    const b = await make(p.id, 'succeeded');
    await make(other.id, 'succeeded');
    const c = await make(p.id, 'failed');
    const d = await make(p.id, 'cancelled');
    const e = await make(p.id, 'succeeded');
    assert.equal((await builds.previousSucceeded(p.id, e))?.id, b, 'skips failed and cancelled builds and other projects');
    assert.equal((await builds.previousSucceeded(p.id, d))?.id, b);
    assert.equal((await builds.previousSucceeded(p.id, c))?.id, b);
    assert.equal((await builds.previousSucceeded(p.id, b))?.id, a);
    assert.equal(await builds.previousSucceeded(p.id, a), undefined, 'the first has none');
    assert.equal(await builds.previousSucceeded(other.id, e), undefined, "another project's build id finds nothing");
    assert.deepEqual(await builds.idsFor(p.id), [e, d, c, b, a]);
  } finally {
    await store.close();
  }
});

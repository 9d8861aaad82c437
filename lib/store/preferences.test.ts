import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from './db';
import { createPreferences, preferencesChange } from './preferences';
import { createUsers } from './users';
import { DEFAULT_VIEWER_PREFERENCES } from '../protocol/preferences';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-preferences-'));
let store: Store;
before(async () => (store = await openStore(dataDir)));
after(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const user = async (name: string) => (await createUsers(store.db).create({ username: name, passwordHash: 'x', role: 'user' }))!.id;

describe('preferencesChange', () => {
  test('takes any subset of the viewer fields', () => {
    assert.deepEqual(preferencesChange.parse({ viewer: { quality: 0, compression: 9, scaling: 'remote' } }), { viewer: { quality: 0, compression: 9, scaling: 'remote' } });
    assert.deepEqual(preferencesChange.parse({ viewer: {} }), { viewer: {} });
    assert.deepEqual(preferencesChange.parse({}), {});
  });

  test('refuses levels outside 0–9, fractions, unknown modes and unknown fields, each with a sentence', () => {
    const message = (body: unknown) => {
      const r = preferencesChange.safeParse(body);
      assert.equal(r.success, false);
      return r.error!.issues[0].message;
    };
    assert.equal(message({ viewer: { quality: 10 } }), 'quality is a whole number from 0 to 9.');
    assert.equal(message({ viewer: { compression: -1 } }), 'compression is a whole number from 0 to 9.');
    assert.equal(message({ viewer: { quality: 2.5 } }), 'quality is a whole number from 0 to 9.');
    assert.equal(message({ viewer: { quality: '5' } }), 'quality is a whole number from 0 to 9.');
    assert.equal(message({ viewer: { scaling: 'zoom' } }), 'scaling is "fit", "actual" or "remote".');
    assert.match(message({ viewer: { colour: 'red' } }), /colour/);
    assert.match(message({ theme: 'dark' }), /theme/);
  });
});

describe('createPreferences', () => {
  test('a user who set nothing gets the defaults', async () => {
    assert.deepEqual(await createPreferences(store.db).get(await user('fresh')), { viewer: DEFAULT_VIEWER_PREFERENCES });
  });

  test('a change keeps the fields it leaves out, and is the user\'s own', async () => {
    const prefs = createPreferences(store.db);
    const [a, b] = [await user('alice'), await user('bob')];
    assert.deepEqual((await prefs.change(a, { viewer: { quality: 1 } })).viewer, { ...DEFAULT_VIEWER_PREFERENCES, quality: 1 });
    assert.deepEqual((await prefs.change(a, { viewer: { scaling: 'actual', compression: 7 } })).viewer, { scaling: 'actual', quality: 1, compression: 7 });
    assert.deepEqual((await prefs.get(a)).viewer, { scaling: 'actual', quality: 1, compression: 7 });
    assert.deepEqual((await prefs.get(b)).viewer, DEFAULT_VIEWER_PREFERENCES);
  });

  test('a stored value that no longer passes falls back to the default field by field', async () => {
    const id = await user('old');
    await store.db.insertInto('user_preferences').values({ user_id: id, name: 'viewer', value: JSON.stringify({ scaling: 'stretch', quality: 3, compression: 42 }), updated_at: 1 }).execute();
    assert.deepEqual((await createPreferences(store.db).get(id)).viewer, { ...DEFAULT_VIEWER_PREFERENCES, quality: 3 });
  });

  test('deleting the user deletes their preferences', async () => {
    const id = await user('gone');
    await createPreferences(store.db).change(id, { viewer: { quality: 2 } });
    await store.db.deleteFrom('users').where('id', '=', id).execute();
    assert.equal((await store.db.selectFrom('user_preferences').select('name').where('user_id', '=', id).execute()).length, 0);
  });
});

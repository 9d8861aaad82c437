import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildOutputDir } from '../lib/build/build-output';
import type { BuildEvent } from '../lib/protocol/build';
import { MAX_DIFF_FILE_BYTES, MAX_DIFF_TOTAL_CHARS } from '../lib/build/build-diff';
import type { TestGateway } from './helpers/gateway';
import { gatewayWithTwoBuilds, runBuild } from './helpers/run-build';

// A past build at its own address (issue 11, point 9): its record, its events in bounded pages, its
// files, and its diff against the previous successful build — for its owner only.

describe('one build’s record through the gateway', () => {
  let gw: TestGateway;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let projectId: string;
  let first: string;
  let second: string;
  const base = () => `/api/projects/${projectId}/builds`;

  before(async () => {
    ({ gw, owner, other, projectId, first, second } = await gatewayWithTwoBuilds('history'));
  });
  after(() => gw.close());

  test('the build’s record is its BuildInfo', async () => {
    const r = await gw.api('GET', `${base()}/${first}`, { token: owner.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.id, first);
    assert.equal(r.body.prompt, 'A stopwatch with laps');
    assert.equal(r.body.status, 'succeeded');
  });

  test('every stored event comes back, in seq order, in bounded pages', async () => {
    const all = await gw.api('GET', `${base()}/${first}/events`, { token: owner.token });
    assert.equal(all.status, 200);
    const events = all.body.events as BuildEvent[];
    assert.equal(all.body.more, false);
    assert.equal(all.body.lastSeq, events.length);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    assert.equal(events.at(-1)!.type, 'done');

    const paged: BuildEvent[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await gw.api('GET', `${base()}/${first}/events?after=${afterSeq}&limit=7`, { token: owner.token });
      assert.ok(page.body.events.length <= 7);
      paged.push(...page.body.events);
      if (!page.body.more) break;
      afterSeq = page.body.events.at(-1).seq;
    }
    assert.deepEqual(paged, events);

    for (const q of ['limit=0', 'limit=5001', 'after=-1', 'after=x', 'limit=1.5']) {
      const bad = await gw.api('GET', `${base()}/${first}/events?${q}`, { token: owner.token });
      assert.equal(bad.status, 400, q);
      assert.match(bad.body.error.message, /must be a whole number/);
    }
  });

  test('the build’s own files: the list, and one file as the FileManager’s view', async () => {
    const list = await gw.api('GET', `${base()}/${first}/files`, { token: owner.token });
    assert.deepEqual(list.body.map((f: { path: string }) => f.path).sort(), ['app.js', 'index.html', 'styles.css']);
    const file = await gw.api('GET', `${base()}/${first}/files/index.html`, { token: owner.token });
    assert.equal(file.status, 200);
    assert.equal(file.body.path, 'index.html');
    assert.equal(file.body.binary, false);
    assert.match(file.body.content, /A stopwatch with laps/);
    // Each build keeps its own: the second build's file says the second prompt.
    const later = await gw.api('GET', `${base()}/${second}/files/index.html`, { token: owner.token });
    assert.match(later.body.content, /A stopwatch with splits/);
    const missing = await gw.api('GET', `${base()}/${first}/files/nope.txt`, { token: owner.token });
    assert.equal(missing.status, 404);
    const escape = await gw.api('GET', `${base()}/${first}/files/..%2F..%2Fworkspaces`, { token: owner.token });
    assert.equal(escape.status, 400);
    assert.match(escape.body.error.message, /climbs out/);
  });

  test('the diff compares against the previous successful build: a changed line, with +/- lines', async () => {
    const r = await gw.api('GET', `${base()}/${second}/diff`, { token: owner.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.base.id, first);
    assert.equal(r.body.baseFilesGone, false);
    const index = r.body.files.find((f: { path: string }) => f.path === 'index.html');
    assert.equal(index.change, 'changed');
    assert.match(index.diff, /^-.*A stopwatch with laps/m);
    assert.match(index.diff, /^\+.*A stopwatch with splits/m);
    assert.match(index.diff, /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@$/m);
    assert.ok(index.added >= 1 && index.removed >= 1);
    // The first build has nothing before it: everything it wrote is added.
    const firstDiff = await gw.api('GET', `${base()}/${first}/diff`, { token: owner.token });
    assert.equal(firstDiff.body.base, null);
    assert.deepEqual(new Set(firstDiff.body.files.map((f: { change: string }) => f.change)), new Set(['added']));
  });

  test('a file past the size bound is named "too large", added and removed files are said as such', async () => {
    const out = buildOutputDir(gw.portico.config.dataDir, second);
    const third = await runBuild(gw, owner.token, projectId, 'A stopwatch with splits');
    const thirdOut = buildOutputDir(gw.portico.config.dataDir, third);
    fs.writeFileSync(path.join(thirdOut, 'big.txt'), 'x\n'.repeat(MAX_DIFF_FILE_BYTES));
    fs.rmSync(path.join(thirdOut, 'app.js'));
    const r = await gw.api('GET', `${base()}/${third}/diff`, { token: owner.token });
    assert.equal(r.body.base.id, second);
    const byPath = Object.fromEntries(r.body.files.map((f: { path: string }) => [f.path, f]));
    assert.equal(byPath['big.txt'].change, 'added');
    assert.equal(byPath['big.txt'].tooLarge, true);
    assert.equal(byPath['big.txt'].diff, null);
    assert.equal(byPath['app.js'].change, 'removed');
    assert.match(byPath['app.js'].diff, /^-/m);
    assert.ok(r.body.unchanged >= 2, 'identical files are counted, not listed');
    // All the diffs of one answer together stay bounded: past MAX_DIFF_TOTAL_CHARS a file is "too large".
    for (let i = 0; i < 12; i++) fs.writeFileSync(path.join(thirdOut, `part-${i}.txt`), `${i}\n`.repeat(MAX_DIFF_FILE_BYTES / 4));
    const bounded = await gw.api('GET', `${base()}/${third}/diff`, { token: owner.token });
    const parts = bounded.body.files.filter((f: { path: string }) => f.path.startsWith('part-'));
    assert.equal(parts.length, 12);
    assert.ok(parts.some((f: { tooLarge: boolean }) => f.tooLarge) && parts.some((f: { diff: string | null }) => f.diff !== null));
    assert.ok(JSON.stringify(bounded.body).length < MAX_DIFF_TOTAL_CHARS * 2);
    assert.ok(fs.existsSync(out));
  });

  test('when the previous build’s files are no longer kept, the diff says so', async () => {
    const out = buildOutputDir(gw.portico.config.dataDir, first);
    const kept = `${out}-kept`;
    fs.renameSync(out, kept);
    try {
      const r = await gw.api('GET', `${base()}/${second}/diff`, { token: owner.token });
      assert.equal(r.body.base.id, first);
      assert.equal(r.body.baseFilesGone, true);
      assert.deepEqual(new Set(r.body.files.map((f: { change: string }) => f.change)), new Set(['added']));
    } finally {
      fs.renameSync(kept, out);
    }
  });

  test('another user’s build, an unknown one, one of another project: "No such build."', async () => {
    const elsewhere = (await gw.createProject(owner.token, 'elsewhere')).id;
    const cases: [string, string][] = [
      [`${base()}/${first}`, other.token],
      [`${base()}/${first}/events`, other.token],
      [`${base()}/${first}/files`, other.token],
      [`${base()}/${first}/files/index.html`, other.token],
      [`${base()}/${first}/diff`, other.token],
      [`${base()}/${first.slice(0, -1)}${first.endsWith('a') ? 'b' : 'a'}`, owner.token],
      [`/api/projects/${elsewhere}/builds/${first}`, owner.token],
    ];
    for (const [p, token] of cases) {
      const r = await gw.api('GET', p, { token });
      assert.equal(r.status, 404, p);
      assert.equal(r.body.error.message, 'No such build.', p);
    }
    const bad = await gw.api('GET', `${base()}/not-an-id!`, { token: owner.token });
    assert.equal(bad.status, 400);
    const anonymous = await gw.api('GET', `${base()}/${first}`);
    assert.equal(anonymous.status, 401);
  });
});

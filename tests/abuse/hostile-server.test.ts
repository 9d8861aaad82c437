import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAbuseServer, type AbuseServer } from './abuse-server';
import { HOSTILE_ROWS, type Fixtures } from './hostile-table';
import { RUNS, runFuzz } from './upgrade-fuzz';

// One server.ts process, attacked by the table of hostile requests and then by the fuzz, its resident
// memory sampled every 100 ms from the first request to the last: it must stay within 64 MiB of where it
// started.

const RSS_GROWTH_MIB = 64;

let server: AbuseServer;
let fixtures: Fixtures;
let rssStart = 0;
let rssMax = 0;
let sampler: NodeJS.Timeout | undefined;

before(async () => {
  server = await startAbuseServer();
  const mallory = await server.createUser();
  const victim = await server.createUser();
  const project = async (token: string) => (await server.api('POST', '/api/projects', { token, body: { name: 'p' } })).body.id as string;
  fixtures = { server, mallory: { ...mallory, project: await project(mallory.token) }, victim: { ...victim, project: await project(victim.token) } };
  rssStart = rssMax = server.rssMiB();
  sampler = setInterval(() => (rssMax = Math.max(rssMax, server.rssMiB())), 100);
});

after(async () => {
  clearInterval(sampler);
  await server?.stop();
});

describe(`${HOSTILE_ROWS.length} hostile requests, each answered as documented`, () => {
  for (const row of HOSTILE_ROWS) {
    test(`${row.name} → ${row.expect}`, async () => {
      assert.equal(await row.run(fixtures), row.expect);
    });
  }
});

test(`${RUNS} generated upgrade requests each get a documented answer within 2 s while a normal client stays fast`, async (t) => {
  await runFuzz(server, t);
});

test(`the server's RSS stayed within ${RSS_GROWTH_MIB} MiB of its start through all of it`, (t) => {
  rssMax = Math.max(rssMax, server.rssMiB());
  t.diagnostic(`RSS ${rssStart.toFixed(1)} MiB at the start, ${rssMax.toFixed(1)} MiB at most`);
  assert.ok(rssMax - rssStart <= RSS_GROWTH_MIB, `the server grew by ${(rssMax - rssStart).toFixed(1)} MiB`);
});

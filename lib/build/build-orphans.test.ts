import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Job, Queue } from 'bullmq';
import pino from 'pino';
import { openStore } from '../store/db';
import { createBuilds } from '../store/builds';
import { createProjects } from '../store/projects';
import { createUsers } from '../store/users';
import { startRedisServer } from '../engines/redis-server';
import { createBuildSlots } from './build-slot';
import { BUILD_QUEUE, closeRedis, connectRedis } from './redis-clients';
import { createRedisEventLog } from './redis-event-log';
import { JOB_OPTIONS } from './build-queue';
import { ORPHAN_SUMMARY, sweepOrphanBuilds } from './build-orphans';

test('a running build whose job Redis lost, quiet for long, is ended failed with a sentence; one with a job, or recent events, is left alone', async (t) => {
  const logger = pino({ level: 'silent' });
  const redis = await startRedisServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-orphans-'));
  const store = await openStore(dataDir);
  const commands = await connectRedis(redis.url, { name: 'test', logger, offlineQueue: false });
  const queueClient = await connectRedis(redis.url, { name: 'test-queue', logger });
  const queue = new Queue(BUILD_QUEUE, { connection: queueClient as never, defaultJobOptions: JOB_OPTIONS });
  const log = createRedisEventLog({ db: store.db, commands, logger });
  t.after(async () => {
    await log.close();
    await queue.close();
    await closeRedis(queueClient);
    await closeRedis(commands);
    await store.close();
    await redis.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const builds = createBuilds(store.db);
  const owner = (await createUsers(store.db).create({ username: 'o', passwordHash: 'x', role: 'user' }))!.id;
  const make = async () => {
    const p = await createProjects(store.db).create(owner, 'p');
    const b = await builds.create({ projectId: p.id, userId: owner, prompt: 'x' });
    await log.append(b.id, { type: 'log', level: 'info', text: 'started' });
    return b;
  };
  const lost = await make();
  const queued = await make();
  await queue.add('build', { buildId: queued.id }, { jobId: queued.id });
  const deps = {
    db: store.db,
    builds,
    log,
    slots: createBuildSlots(commands, builds),
    logger,
    hasJob: async (id: string) => (await Job.fromId(queue, id)) !== undefined,
    quietMs: 60_000,
  };

  assert.equal(await sweepOrphanBuilds(deps), 0, 'nothing is quiet long enough yet');
  const later = Date.now() + 120_000;
  assert.equal(await sweepOrphanBuilds(deps, later), 1);
  const ended = (await builds.byId(lost.id))!;
  assert.equal(ended.status, 'failed');
  assert.equal(ended.summary, ORPHAN_SUMMARY);
  const events = await log.replay(lost.id, 0);
  assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
  assert.deepEqual(events.at(-1), { ...events.at(-1)!, type: 'done', status: 'failed', summary: ORPHAN_SUMMARY });
  assert.equal((await builds.byId(queued.id))!.status, 'running', 'a build whose job is still queued waits for a worker');
});

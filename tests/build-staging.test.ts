import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildOutputDir, buildDir } from '../lib/build/build-output';
import type { BuildEvent, HelloMessage } from '../lib/protocol/build';
import { opened, startGateway, type TestGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';
import { GOOD_REPLY, startLlmServer } from './helpers/llm-server';

// A build writes and verifies in its own folder; the project's files change only when verify passes.
// Real model server, real gateway, real files on disk.

const reply = (files: Record<string, string>) => Object.entries(files).map(([p, c]) => `--- file: ${p}\n${c}\n--- end\n`).join('');
const readTree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
};
const stages = (events: BuildEvent[]) => events.filter((e) => e.type === 'stage').map((e) => `${(e as { stage: string }).stage}:${(e as { state: string }).state}`);

describe('staging: a build reaches the project only when verify passes', () => {
  let llm: Awaited<ReturnType<typeof startLlmServer>>;
  let gw: TestGateway;
  let projectId: string;
  let workspace: string;
  let firstFiles: Record<string, string>;
  const buildIds: string[] = [];

  before(async () => {
    llm = await startLlmServer({ reply: GOOD_REPLY });
    gw = await startGateway({ LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, BUILD_OUTPUTS_KEPT: '3' });
    projectId = (await gw.createProject(gw.adminToken)).id;
    workspace = path.join(gw.portico.config.dataDir, 'workspaces', projectId);
  });
  after(async () => {
    await gw.close();
    await llm.close();
  });

  // A socket first replays the project's latest build; the one it starts comes with a second hello.
  async function build(onEvent?: (mine: () => BuildEvent[], w: ReturnType<typeof buildWatcher>, send: (m: object) => void) => Promise<void>) {
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    const w = buildWatcher(ws);
    await opened(ws);
    await w.until(() => w.messages.length > 0);
    ws.send(JSON.stringify({ type: 'start', prompt: 'an app' }));
    const hellos = () => w.messages.filter((m) => m.type === 'hello') as HelloMessage[];
    await w.until(() => hellos().length === 2);
    const id = hellos()[1].build!.id;
    buildIds.push(id);
    const mine = () => w.events().filter((e) => e.buildId === id);
    await onEvent?.(mine, w, (m) => ws.send(JSON.stringify(m)));
    await w.until(() => mine().some((e) => e.type === 'done'), 20_000);
    ws.close();
    const events = mine();
    return { id, events, done: events.find((e) => e.type === 'done') as Extract<BuildEvent, { type: 'done' }> };
  }

  test('a good build lands in the workspace and keeps its own copy; files the user uploaded stay', async () => {
    const up = await fetch(`${gw.url}/api/projects/${projectId}/files/notes.txt`, { method: 'PUT', headers: { authorization: `Bearer ${gw.adminToken}` }, body: 'mine' });
    assert.equal(up.status, 201);
    const { done, id, events } = await build();
    assert.equal(done.status, 'succeeded', done.summary);
    firstFiles = readTree(workspace);
    assert.deepEqual(Object.keys(firstFiles).sort(), ['app.js', 'index.html', 'notes.txt', 'styles.css']);
    assert.equal(firstFiles['notes.txt'], 'mine');
    const own = readTree(buildOutputDir(gw.portico.config.dataDir, id));
    assert.deepEqual(own, { 'index.html': firstFiles['index.html'], 'styles.css': firstFiles['styles.css'], 'app.js': firstFiles['app.js'] });
    assert.ok(events.some((e) => e.type === 'log' && /are now the project's files/.test((e as { text: string }).text)));
  });

  test('a build that fails verify leaves the project as it was and keeps what it wrote for inspection', async () => {
    llm.behaviour.reply = reply({ 'index.html': '<!DOCTYPE html><html lang="en"><head><title>v2</title></head><body><script src="app.js"></script></body></html>', 'app.js': 'let x = ;' });
    const { done, id, events } = await build();
    assert.equal(done.status, 'failed');
    assert.equal(done.summary, "Verify found 1 problem in the 2 files written; the project's files were left as they were.");
    assert.deepEqual(stages(events).slice(-2), ['verify:started', 'verify:failed']);
    assert.deepEqual(readTree(workspace), firstFiles);
    assert.deepEqual(readTree(buildOutputDir(gw.portico.config.dataDir, id)), { 'index.html': `${llm.behaviour.reply.split('\n')[1]}\n`, 'app.js': 'let x = ;\n' });
  });

  test('a build cancelled during verify ends "cancelled" there, and the project keeps the previous files', async () => {
    // Many scripts: node --check runs once per script, so verify lasts long enough to cancel in it.
    const many: Record<string, string> = { 'index.html': '<!DOCTYPE html><html lang="en"><head><title>v3</title></head><body></body></html>' };
    for (let i = 0; i < 25; i++) many[`lib/m${i}.js`] = `export const v${i} = ${i};`;
    llm.behaviour.reply = reply(many);
    const { done, id, events } = await build(async (mine, w, send) => {
      await w.until(() => mine().some((e) => e.type === 'stage' && e.stage === 'verify' && e.state === 'started'));
      send({ type: 'cancel' });
    });
    assert.equal(done.status, 'cancelled', done.summary);
    assert.deepEqual(stages(events).slice(-2), ['verify:started', 'verify:cancelled']);
    assert.ok(!stages(events).some((s) => s.endsWith(':failed')), 'no stage says failed');
    assert.deepEqual(readTree(workspace), firstFiles);
    assert.equal(Object.keys(readTree(buildOutputDir(gw.portico.config.dataDir, id))).length, 26, 'its own output stays for inspection');
  });

  test('a build cancelled while the model writes leaves the project as it was', async () => {
    llm.behaviour.reply = GOOD_REPLY.replace('Hello from the model', 'Hello again');
    llm.behaviour.chunkDelayMs = 50;
    const { done, events } = await build(async (mine, w, send) => {
      await w.until(() => mine().some((e) => e.type === 'output'));
      send({ type: 'cancel' });
    });
    llm.behaviour.chunkDelayMs = 0;
    assert.equal(done.status, 'cancelled');
    assert.deepEqual(stages(events).slice(-1), ['generate:cancelled']);
    assert.deepEqual(readTree(workspace), firstFiles);
  });

  test('the next good build replaces the files it writes, and only the newest BUILD_OUTPUTS_KEPT output folders stay', async () => {
    llm.behaviour.reply = GOOD_REPLY.replace('Hello from the model', 'Hello, fifth build');
    const { done } = await build();
    assert.equal(done.status, 'succeeded');
    const now = readTree(workspace);
    assert.match(now['app.js'], /Hello, fifth build/);
    assert.equal(now['notes.txt'], 'mine');
    const dataDir = gw.portico.config.dataDir;
    const kept = buildIds.filter((id) => fs.existsSync(buildDir(dataDir, id)));
    // Five builds (the fourth wrote nothing, so it never had a folder): the newest three are kept.
    assert.deepEqual(kept, buildIds.slice(-3).filter((id) => id !== buildIds[3]));
    assert.ok(!fs.existsSync(buildDir(dataDir, buildIds[0])), "the first build's folder was deleted");
  });

  test('a build whose files the workspace cannot take (a folder in the way) replaces none of them', async () => {
    const dataDir = gw.portico.config.dataDir;
    const { id } = await gw.createProject(gw.adminToken, 'blocked');
    const ws = path.join(dataDir, 'workspaces', id);
    fs.mkdirSync(path.join(ws, 'app.js'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'index.html'), 'old page');
    llm.behaviour.reply = GOOD_REPLY;
    const sock = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
    const w = buildWatcher(sock);
    await opened(sock);
    sock.send(JSON.stringify({ type: 'start', prompt: 'x' }));
    await w.until(() => Boolean(w.done()), 20_000);
    sock.close();
    assert.equal(w.done()!.status, 'failed');
    assert.equal(w.done()!.summary, 'Refused to write: "app.js" is a folder.');
    assert.equal(fs.readFileSync(path.join(ws, 'index.html'), 'utf8'), 'old page', 'index.html, checked fine, was not replaced either');
    assert.ok(!fs.existsSync(path.join(ws, 'styles.css')));
  });

  test("build outputs count in the owner's storage, and go with the project", async () => {
    const dataDir = gw.portico.config.dataDir;
    const bytesIn = (dir: string) => Object.values(readTree(dir)).reduce((n, c) => n + Buffer.byteLength(c), 0);
    const user = await gw.createUser('stager');
    const { id } = await gw.createProject(user.token, 'counted');
    const ws = gw.open(`/api/build/${id}?token=${user.token}`);
    const w = buildWatcher(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'start', prompt: 'x' }));
    await w.until(() => Boolean(w.done()), 20_000);
    ws.close();
    const buildId = w.events()[0].buildId;
    const usage = await gw.api('GET', '/api/usage', { token: user.token });
    const expected = bytesIn(path.join(dataDir, 'workspaces', id)) + bytesIn(buildDir(dataDir, buildId));
    assert.equal(usage.body.storageBytes.used, expected);
    assert.equal(expected, 2 * bytesIn(path.join(dataDir, 'workspaces', id)), 'the workspace and the build folder, each once');
    assert.equal((await gw.api('DELETE', `/api/projects/${id}`, { token: user.token })).status, 204);
    assert.ok(!fs.existsSync(buildDir(dataDir, buildId)));
  });
});

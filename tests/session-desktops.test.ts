import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createPortico, type Portico } from '../server';
import { loadConfig } from '../lib/config/config';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { captureLogs } from './helpers/log-capture';
import { jsonApi } from './helpers/json-api';
import { hubReader } from './helpers/hub-client';
import { ADMIN, opened, startGateway, type TestGateway } from './helpers/gateway';
import { xvncOf } from './helpers/desktop-process';

// A session's desktop is re-created when its VM exits and is started again, or when the server restarts:
// the record says when the current desktop started and when the last one ended, which is what the
// viewer's "this is a new desktop" notice reads, and the `sessions` topic carries each change.

const skip = localVncMissing() ?? (process.getuid?.() !== 0 ? 'needs root (a VM uid of its own)' : false);

describe('session desktops', { skip }, () => {
  let gw: TestGateway;
  after(() => gw?.close());

  test('a VM that exits is stopped with its end recorded; started again it is a new desktop, live on the hub', async () => {
    gw = await startGateway({ VNC_PROVIDER: 'local' });
    const user = await gw.createUser('desktop-user');
    const created = await gw.api('POST', '/api/sessions', { token: user.token, body: { name: 'desk' } });
    assert.equal(created.status, 201);
    const first = created.body;
    assert.ok(first.desktopStartedAt > 0);
    assert.equal(first.desktopEndedAt, null);

    const ws = gw.open(`/api/events?token=${user.token}`);
    const hub = hubReader(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
    await hub.until((m) => m.type === 'subscribed');

    process.kill(xvncOf(gw.portico.config.dataDir, first.id), 'SIGKILL');
    const stopped = (await hub.until((m) => m.type === 'event' && (m.data as { session: { status: string } }).session.status === 'stopped', 10_000)).data as { session: Record<string, number | string> };
    assert.equal(stopped.session.id, first.id);
    assert.ok((stopped.session.desktopEndedAt as number) >= first.desktopStartedAt);

    const files = await gw.api('GET', `/api/sessions/${first.id}/files`, { token: user.token });
    assert.equal(files.status, 409, 'a stopped VM has no home to move files in');

    const again = await gw.api('POST', `/api/sessions/${first.id}/start`, { token: user.token });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.status, 'running');
    assert.ok(again.body.desktopStartedAt > (stopped.session.desktopEndedAt as number) || again.body.desktopStartedAt >= (stopped.session.desktopEndedAt as number));
    assert.equal(again.body.desktopEndedAt, stopped.session.desktopEndedAt, 'the previous desktop’s end is kept for the notice');
    await hub.until((m) => m.type === 'event' && (m.data as { session: { status: string } }).session.status === 'running');
    assert.equal((await gw.api('POST', `/api/sessions/${first.id}/start`, { token: user.token })).status, 409, 'a running VM is not started twice');

    const removed = await gw.api('DELETE', `/api/sessions/${first.id}`, { token: user.token });
    assert.equal(removed.status, 204);
    await hub.until((m) => m.type === 'event' && (m.data as { change: string }).change === 'deleted');
    ws.close();
  });

  test('a server restart gives running sessions a new desktop and records when the old one ended', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-desktops-'));
    const logs = captureLogs();
    const config = () =>
      loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, BUILD_BACKEND_PORT: '0', PREVIEW_PORT: '0', LLM_PROVIDER: 'offline', VNC_PROVIDER: 'local' });
    let portico: Portico | null = await createPortico({ config: config(), next: false, logDestination: logs.stream });
    try {
      let api = jsonApi(portico.url);
      const token = (await api('POST', '/api/auth/login', { body: ADMIN })).body.token;
      const created = (await api('POST', '/api/sessions', { token, body: { name: 'survives' } })).body;
      await portico.close();
      portico = await createPortico({ config: config(), next: false, logDestination: logs.stream });
      api = jsonApi(portico.url);
      const token2 = (await api('POST', '/api/auth/login', { body: ADMIN })).body.token;
      const after = (await api('GET', `/api/sessions/${created.id}`, { token: token2 })).body;
      assert.equal(after.status, 'running');
      assert.ok(after.desktopStartedAt > created.desktopStartedAt, 'a new desktop');
      assert.ok(after.desktopEndedAt >= created.desktopStartedAt && after.desktopEndedAt <= after.desktopStartedAt, 'the old one ended in between');
    } finally {
      await portico?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localVncMissing } from '../lib/sessions/local-vnc';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { closed, opened } from './helpers/gateway';
import { startEchoUpstream } from './helpers/upstreams';
import { assertNoTokenLogged } from './helpers/gateway';
import { spawnServer, startServer } from './helpers/server-process';
import { xvncUnder } from './helpers/desktop-process';

// The production server.ts as a process: what it refuses at start-up and how it stops.

const PROD = { NODE_ENV: 'production', ADMIN_PASSWORD: 'admin-password-1' };

async function login(url: string) {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }) });
  return ((await r.json()) as { token: string }).token;
}

describe('server.ts in production', () => {
  test('refuses to start without a JWT_SECRET, in one line, with exit code 78', async () => {
    const s = spawnServer({ NODE_ENV: 'production' });
    const { code } = await s.exited;
    assert.equal(code, 78);
    assert.equal(s.output().trim(), 'portico: JWT_SECRET is not set: production needs a secret of at least 32 bytes (for example: openssl rand -base64 48).');
  });

  test('refuses a short JWT_SECRET', async () => {
    const s = spawnServer({ NODE_ENV: 'production', JWT_SECRET: 'too-short' });
    assert.equal((await s.exited).code, 78);
    assert.match(s.output(), /JWT_SECRET is too short/);
  });

  test('SIGTERM with open sockets: every client gets 1001 and the process exits 0 within 10 s', async () => {
    const upstream = await startEchoUpstream();
    const server = await startServer({ ...PROD, JWT_SECRET: randomBytes(48).toString('base64url'), BUILD_BACKEND_URL: upstream.url });
    try {
      const token = await login(server.url);
      const project = await (
        await fetch(`${server.url}/api/projects`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"p"}' })
      ).json() as { id: string };
      const ws = server.url.replace(/^http/, 'ws');
      const clients = [
        new WebSocket(`${ws}/api/build/${project.id}?token=${token}`),
        new WebSocket(`${ws}/api/build/${project.id}?token=${token}`),
        new WebSocket(`${ws}/api/events?token=${token}`),
      ];
      await Promise.all(clients.map(opened));
      const codes = Promise.all(clients.map(closed));
      const sent = Date.now();
      server.proc.kill('SIGTERM');
      const [exit, results] = await Promise.all([server.exited, codes]);
      assert.deepEqual(results.map((r) => r.code), [1001, 1001, 1001]);
      assert.equal(exit.code, 0, server.output());
      assert.ok(exit.at - sent < 10_000, `exited after ${exit.at - sent} ms`);
      assertNoTokenLogged(server.output().split('\n'), [token]);
      assert.match(server.output(), /"event":"socket_end"/);
    } finally {
      await server.stop();
      await upstream.close();
    }
  });
});

function xvncPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0].endsWith('Xvnc');
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(check: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('no orphaned VM after any exit', { skip: localVncMissing() ?? false }, () => {
  async function serverWithSession(dataDir?: string) {
    const server = await startServer({ ...PROD, JWT_SECRET: 'k'.repeat(48), VNC_PROVIDER: 'local', ...(dataDir ? { DATA_DIR: dataDir } : {}) });
    const token = await login(server.url);
    const r = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"vm"}' });
    assert.equal(r.status, 201);
    return { server, token, session: (await r.json()) as { id: string } };
  }

  test('SIGTERM stops the VMs it started', async () => {
    const { server } = await serverWithSession();
    // Its own desktops only: other test files running beside this one start desktops too.
    const mine = xvncUnder(server.proc.pid!);
    assert.equal(mine.length, 1);
    server.proc.kill('SIGTERM');
    assert.equal((await server.exited).code, 0);
    assert.ok(await until(() => !xvncPids().includes(mine[0]), 2000), 'Xvnc outlived the server');
  });

  test('SIGKILL: the kernel ends the VM with the server, and the next start resumes the session', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-orphan-'));
    try {
      const first = await serverWithSession(dataDir);
      const mine = xvncUnder(first.server.proc.pid!);
      assert.equal(mine.length, 1);
      // The home is an image mounted by the server; a crash leaves it mounted, the next start sweeps it.
      const home = path.join(dataDir, 'vnc', first.session.id, 'home');
      fs.writeFileSync(path.join(home, 'notes.txt'), 'still here');
      first.server.proc.kill('SIGKILL');
      await first.server.exited;
      assert.ok(await until(() => !xvncPids().includes(mine[0]), 2000), 'Xvnc outlived a killed server');
      // A new server on the same data gives the session a fresh VM.
      let seconds: number[] = [];
      const second = await startServer({ ...PROD, JWT_SECRET: 'k'.repeat(48), VNC_PROVIDER: 'local', DATA_DIR: dataDir });
      try {
        const token = await login(second.url);
        const s = await (await fetch(`${second.url}/api/sessions/${first.session.id}`, { headers: { authorization: `Bearer ${token}` } })).json() as { status: string };
        assert.equal(s.status, 'running');
        seconds = xvncUnder(second.proc.pid!);
        assert.equal(seconds.length, 1);
        assert.equal(fs.readFileSync(path.join(home, 'notes.txt'), 'utf8'), 'still here');
      } finally {
        second.proc.kill('SIGTERM');
        await second.exited;
      }
      assert.ok(await until(() => !xvncPids().some((p) => seconds.includes(p)), 2000), 'Xvnc outlived the second server');
      assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(dataDir), 'a stopped server left a mount behind');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import fs from 'node:fs';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import type { PublicSession } from '@/lib/store/sessions';
import { apiAs, expect, signIn, test } from './fixtures';
import { ENV, fromEnv } from './server-env';

// Issue 10, finding 1, in Chromium: a normal user types into their own VM's terminal through noVNC and
// finds a sandbox, not a shell of the server. Each command writes its answer into a file of the VM's home
// (the one place the sandbox shares with the host), which the test reads on the host.


async function startVm(api: APIRequestContext, name: string): Promise<PublicSession> {
  const res = await api.post('/api/sessions', { data: { name } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as PublicSession;
}

const vmDir = (id: string) => path.join(fromEnv(ENV.dataDir), 'vnc', id);

test('a normal user’s VM terminal: an unprivileged uid, no secret, no DATA_DIR, no other desktop, no TCP', async ({ page, users, baseURL }) => {
  const alice = await users.create();
  const bob = await users.create();
  const asAlice = await apiAs(baseURL, alice);
  const asBob = await apiAs(baseURL, bob);
  const mine = await startVm(asAlice, 'Sandboxed desktop');
  const theirs = await startVm(asBob, 'Someone else’s desktop');
  const dataDir = fromEnv(ENV.dataDir);
  const home = path.join(vmDir(mine.id), 'home');
  const port = new URL(fromEnv(ENV.url)).port;
  try {
    // Small probes the terminal runs, put in the VM's home from the host (readable by the VM's uid).
    const probe = (connect: string) => `import socket\ntry:\n ${connect}\n print("connected")\nexcept Exception as e:\n print("refused", type(e).__name__)\n`;
    fs.writeFileSync(path.join(home, 'other.py'), probe(`s = socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(path.join(vmDir(theirs.id), 'run', 'rfb.sock'))})`), { mode: 0o644 });
    fs.writeFileSync(path.join(home, 'tcp.py'), probe(`socket.create_connection(("127.0.0.1", ${port}), timeout=2)`), { mode: 0o644 });

    await page.goto(`/sessions/${mine.id}`);
    await signIn(page, alice);
    const viewer = page.frameLocator('iframe[title^="Desktop of"]');
    await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
    const canvas = viewer.locator('canvas');
    const box = (await canvas.boundingBox())!;
    // No window manager: the window under the pointer (the xterm, at +0+0) gets the keys.
    await canvas.click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
    const line =
      `id -u > ~/uid; env > ~/env; (ls ${dataDir}; cat ${dataDir}/portico.db) > ~/data 2>&1; ` +
      'python3 ~/other.py > ~/other; python3 ~/tcp.py > ~/tcp; echo ok > ~/done';
    // The xterm may map a moment after the desktop is live, and keys typed before that are lost: the line's
    // head (its first command) with them. Type it again until its first and last commands both ran.
    const ran = () => fs.existsSync(path.join(home, 'uid')) && fs.existsSync(path.join(home, 'done'));
    await expect
      .poll(
        async () => {
          if (!ran()) {
            await page.keyboard.type(line);
            await page.keyboard.press('Enter');
          }
          return ran();
        },
        { message: 'the terminal ran the commands', timeout: 20_000, intervals: [3000] },
      )
      .toBe(true);
    const read = (f: string) => fs.readFileSync(path.join(home, f), 'utf8').trim();

    const uid = Number(read('uid'));
    expect(uid, 'not root').not.toBe(0);
    expect(uid, "not the server's uid").not.toBe(fs.statSync(`/proc/${fromEnv(ENV.pid)}`).uid);
    const env = read('env');
    for (const secret of [fromEnv(ENV.jwtSecret), fromEnv(ENV.emitToken), fromEnv(ENV.adminPassword)]) expect(env).not.toContain(secret);
    expect(env).not.toMatch(/JWT_SECRET|EMIT_TOKEN|ADMIN_PASSWORD|DATA_DIR/);
    for (const l of read('data').split('\n')) expect(l).toMatch(/No such file or directory/);
    expect(read('other'), 'another session’s VNC socket').toMatch(/^refused/);
    expect(read('tcp'), 'the gateway over TCP').toMatch(/^refused/);
  } finally {
    await asAlice.delete(`/api/sessions/${mine.id}`);
    await asBob.delete(`/api/sessions/${theirs.id}`);
    await asAlice.dispose();
    await asBob.dispose();
  }
});

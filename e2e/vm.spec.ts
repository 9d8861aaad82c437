import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { APIRequestContext, FrameLocator, Page } from '@playwright/test';
import type { PublicSession } from '@/lib/store/sessions';
import { apiAs, expect, signIn, test } from './fixtures';
import { ENV, fromEnv } from './server-env';
import { freePort } from '../lib/net/ports';

// The VM-terminal journey (issue 4) in Chromium against the production server with the local provider:
// TigerVNC's Xvnc with an xterm, shown by noVNC in the session page's frame, typed into by a person.

const UNREACHABLE = 'The build service / VM is unreachable.';
const NO_ACCESS = "You don't have access to this.";
// The local provider's xterm background (lib/sessions/local-vnc.ts): once the canvas has it, the terminal is up.
const XTERM_BACKGROUND = [0x1b, 0x1c, 0x1a];

/** Where the local provider keeps a session: its home on the host, its RFB socket, its pid file. */
function vmPaths(sessionId: string) {
  const dir = path.join(fromEnv(ENV.dataDir), 'vnc', sessionId);
  return { home: path.join(dir, 'home'), socket: path.join(dir, 'run', 'rfb.sock'), pidFile: path.join(fromEnv(ENV.dataDir), 'vnc', `${sessionId}.json`) };
}

/** The session's Xvnc: the one running as the session's own uid (its sandbox hides it from nothing on the host). */
function xvncOf(sessionId: string): number {
  const { uid } = JSON.parse(fs.readFileSync(vmPaths(sessionId).pidFile, 'utf8')) as { uid: number | null };
  const want = uid ?? process.getuid!();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      if (cmd.endsWith('Xvnc') && fs.statSync(`/proc/${pid}`).uid === want) return Number(pid);
    } catch {
      // gone already
    }
  }
  throw new Error(`no Xvnc runs as uid ${want}`);
}


async function createSession(api: APIRequestContext, data: { name: string; target?: string; ownerId?: string }): Promise<PublicSession> {
  const res = await api.post('/api/sessions', { data });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as PublicSession;
}

/** An alert saying `sentence` (Next's route announcer is an alert too, so name the one meant). */
function alert(where: Page | FrameLocator, sentence: string) {
  return where.getByRole('alert').filter({ hasText: sentence });
}

function viewerOf(page: Page): FrameLocator {
  return page.frameLocator('iframe[title^="Desktop of"]');
}

/** Distinct colours in a grid of samples over the canvas, and whether the xterm's background is one. */
async function canvasLooks(viewer: FrameLocator): Promise<{ colours: number; terminal: boolean }> {
  return viewer.locator('canvas').evaluate((canvas: HTMLCanvasElement, bg: number[]) => {
    const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set<number>();
    let terminal = false;
    for (let y = 0; y < height; y += 7) {
      for (let x = 0; x < width; x += 7) {
        const i = (y * width + x) * 4;
        seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        if (data[i] === bg[0] && data[i + 1] === bg[1] && data[i + 2] === bg[2]) terminal = true;
      }
    }
    return { colours: seen.size, terminal };
  }, XTERM_BACKGROUND);
}

/** Waits until the frame shows a live desktop with the terminal on it. */
async function expectTerminal(page: Page): Promise<FrameLocator> {
  const viewer = viewerOf(page);
  await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await expect.poll(() => canvasLooks(viewer), { message: 'the desktop shows the terminal', timeout: 15_000 }).toEqual({ colours: expect.any(Number), terminal: true });
  expect((await canvasLooks(viewer)).colours, 'the canvas is not one colour').toBeGreaterThan(1);
  return viewer;
}

/**
 * Clicks into the terminal and types a command that writes a random word to a file of the VM's home (the
 * only place the sandbox shares with the host); the file, read on the host, says it.
 */
async function typeIntoTerminal(page: Page, viewer: FrameLocator, sessionId: string): Promise<void> {
  const word = randomBytes(6).toString('hex');
  const name = `portico-e2e-${randomBytes(6).toString('hex')}.txt`;
  const file = path.join(vmPaths(sessionId).home, name);
  try {
    const canvas = viewer.locator('canvas');
    const box = (await canvas.boundingBox())!;
    // Top left, well inside the xterm (it sits at +0+0); there is no window manager, so the pointer's
    // window is the one that gets the keys.
    await canvas.click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
    await page.keyboard.type(`echo ${word} > ~/${name}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null), { message: `${file} written by the terminal`, timeout: 10_000 }).toBe(`${word}\n`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}


async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

test.describe('a VM session in the browser', () => {
  test('sign in, start a local session, open it, and type a command into its terminal', async ({ page, users }) => {
    const user = await users.create();
    await page.goto('/');
    await signIn(page, user);

    const panel = page.getByRole('region', { name: 'VM sessions' });
    const form = panel.getByRole('form', { name: 'New session' });
    await form.getByLabel('Session name').fill('Scratch desktop');
    await form.getByRole('button', { name: 'Start session' }).click();
    const row = panel.getByRole('list', { name: 'VM sessions' }).getByRole('listitem');
    await expect(row).toHaveCount(1, { timeout: 15_000 });
    await expect(row).toContainText('Running');

    await row.getByRole('link', { name: 'Scratch desktop' }).click();
    await expect(page).toHaveURL(/\/sessions\/[\w-]+$/);
    await expect(page.getByRole('heading', { name: 'Scratch desktop' })).toBeVisible();
    await expect(page.getByTestId('session-status')).toHaveText('Running');

    const sessionId = page.url().split('/').pop()!;
    await typeIntoTerminal(page, await expectTerminal(page), sessionId);

    // Delete asks first, then stops the VM and goes back to the dashboard.
    const xvnc = xvncOf(sessionId);
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Scratch desktop”?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Delete session' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(panel.getByText('No VM sessions yet')).toBeVisible();
    expect(fs.existsSync(`/proc/${xvnc}`), 'Xvnc stopped').toBe(false);
  });

  test("the same journey through Debian's websockify in front of the session's Xvnc (a ws:// target)", async ({ page, users, admin, baseURL }) => {
    const user = await users.create();
    const asUser = await apiAs(baseURL, user);
    const asAdmin = await apiAs(baseURL, admin);
    const local = await createSession(asUser, { name: 'Behind websockify' });
    const wsPort = await freePort();
    let websockify: ChildProcess | undefined;
    try {
      websockify = spawn('websockify', [`127.0.0.1:${wsPort}`, `--unix-target=${vmPaths(local.id).socket}`], { stdio: 'ignore' });
      await expect.poll(() => listening(wsPort), { message: 'websockify listens' }).toBe(true);
      const external = await createSession(asAdmin, { name: 'Through websockify', target: `ws://127.0.0.1:${wsPort}/websockify`, ownerId: user.id });
      expect(external.kind).toBe('external');

      await page.goto(`/sessions/${external.id}`);
      await signIn(page, user);
      await expect(page.getByRole('heading', { name: 'Through websockify' })).toBeVisible();
      await typeIntoTerminal(page, await expectTerminal(page), local.id);
    } finally {
      websockify?.kill('SIGKILL');
      await asUser.delete(`/api/sessions/${local.id}`);
      await asUser.dispose();
      await asAdmin.dispose();
    }
  });

  test('the VM dying shows that it is unreachable within 2 s, and the session as stopped', async ({ page, users, baseURL }) => {
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const session = await createSession(api, { name: 'Doomed' });
    await api.dispose();

    await page.goto(`/sessions/${session.id}`);
    await signIn(page, user);
    const viewer = await expectTerminal(page);

    process.kill(xvncOf(session.id), 'SIGKILL');
    await expect(alert(viewer, UNREACHABLE)).toBeVisible({ timeout: 2000 });
    // It keeps trying (1014 is worth retrying), and keeps saying why.
    await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'reconnecting');
    await expect(page.getByTestId('session-status')).toHaveText('Stopped', { timeout: 5000 });
    await expect(alert(viewer, UNREACHABLE)).toBeVisible();
  });

  test("another user's session: the session page and the viewer say so", async ({ page, users, baseURL }) => {
    const owner = await users.create();
    const api = await apiAs(baseURL, owner);
    const session = await createSession(api, { name: 'Private' });
    const nosy = await users.create();
    try {
      await page.goto(`/sessions/${session.id}`);
      await signIn(page, nosy);
      // The page says it once, in words that do not tell whether the session exists.
      await expect(page.getByRole('heading', { name: 'No such VM session, or it is not yours.' })).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Private' })).toHaveCount(0);
      await expect(page.locator('iframe')).toHaveCount(0);

      await page.goto(`/vnc/${session.id}`);
      await expect(alert(page, NO_ACCESS)).toBeVisible();
      await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'offline');
    } finally {
      await api.delete(`/api/sessions/${session.id}`);
      await api.dispose();
    }
  });
});

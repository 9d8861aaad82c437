import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { APIRequestContext, Locator, Page, WebSocket } from '@playwright/test';
import type { PublicSession } from '@/lib/store/sessions';
import { apiAs, expect, signIn, test, type CreatedUser } from './fixtures';
import { ENV, fromEnv } from './server-env';
import { freePort } from '../lib/net/ports';

// The viewer's controls (issue 14 points 1 and 2) in Chromium against the production server with the local
// provider: fullscreen, the three scaling modes with the VM's desktop following the window, the keyboard
// way into and out of the desktop, view only, and quality changed live and remembered.

const XTERM_BACKGROUND = [0x1b, 0x1c, 0x1a];

const homeOf = (sessionId: string) => path.join(fromEnv(ENV.dataDir), 'vnc', sessionId, 'home');

type Vm = { user: CreatedUser; api: APIRequestContext; session: PublicSession };

async function startVm(users: { create(): Promise<CreatedUser> }, baseURL: string | undefined): Promise<Vm> {
  const user = await users.create();
  const api = await apiAs(baseURL, user);
  const res = await api.post('/api/sessions', { data: { name: 'Viewer desktop' } });
  expect(res.status(), await res.text()).toBe(201);
  return { user, api, session: (await res.json()) as PublicSession };
}

async function stopVm({ api, session }: Vm): Promise<void> {
  await api.delete(`/api/sessions/${session.id}`);
  await api.dispose();
}

/** Signs in on the dashboard, then opens the viewer alone (/vnc/<id>) and waits for the terminal on it. */
async function openViewer(page: Page, { user, session }: Vm): Promise<void> {
  await page.goto('/');
  await signIn(page, user);
  await expect(page.getByRole('region', { name: 'VM sessions' })).toBeVisible();
  await page.goto(`/vnc/${session.id}`);
  await expectTerminal(page);
}

async function expectTerminal(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  const canvas = page.getByTestId('vnc-desktop');
  await expect
    .poll(
      () =>
        canvas.evaluate((c: HTMLCanvasElement, bg: number[]) => {
          const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
          for (let i = 0; i < width * height * 4; i += 4 * 97) if (data[i] === bg[0] && data[i + 1] === bg[1] && data[i + 2] === bg[2]) return true;
          return false;
        }, XTERM_BACKGROUND),
      { message: 'the desktop shows the terminal', timeout: 15_000 },
    )
    .toBe(true);
}

/** The VM's framebuffer (noVNC's canvas is exactly its size), the box it is shown in, and how it is drawn. */
function geometry(page: Page) {
  return page.getByTestId('vnc-screen').evaluate((screen: HTMLElement) => {
    const canvas = screen.querySelector('canvas')!;
    const box = screen.getBoundingClientRect();
    const shown = canvas.getBoundingClientRect();
    const scroller = canvas.parentElement!;
    return {
      fb: { w: canvas.width, h: canvas.height },
      screen: { w: Math.floor(box.width), h: Math.floor(box.height) },
      shown: { w: Math.round(shown.width), h: Math.round(shown.height) },
      inside: shown.left >= box.left - 1 && shown.top >= box.top - 1 && shown.right <= box.right + 1 && shown.bottom <= box.bottom + 1,
      scrolls: scroller.scrollWidth > scroller.clientWidth || scroller.scrollHeight > scroller.clientHeight,
    };
  });
}

async function chooseScaling(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: 'Display settings' }).click();
  const panel = page.getByRole('dialog', { name: 'Display settings' });
  await panel.getByRole('radio', { name: label }).check();
  await expect(panel.getByTestId('display-save')).toHaveText('Saved for your account.');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
}

/** Presses Tab until the desktop has the keyboard (it is in the Tab order after the toolbar). */
async function tabIntoDesktop(page: Page): Promise<void> {
  const desktop = page.getByTestId('vnc-desktop');
  for (let i = 0; i < 12 && !(await desktop.evaluate((c) => c === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(desktop).toBeFocused();
}

/** Types a command that writes a fresh file into the VM's home; returns that file's path on the host. */
async function typeWrite(page: Page, sessionId: string, prefix = ''): Promise<{ file: string; word: string }> {
  const word = randomBytes(6).toString('hex');
  const name = `viewer-e2e-${randomBytes(6).toString('hex')}.txt`;
  await page.keyboard.type(`${prefix}echo ${word} > ~/${name}`);
  await page.keyboard.press('Enter');
  return { file: path.join(homeOf(sessionId), name), word };
}

const written = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null);

const focusInToolbar = (toolbar: Locator) => toolbar.evaluate((t) => t.contains(document.activeElement));

test.describe('the VM viewer', () => {
  let vm: Vm;
  test.beforeEach(async ({ users, baseURL }) => (vm = await startVm(users, baseURL)));
  test.afterEach(async () => stopVm(vm));

  test('fullscreen from the session page frame: on, shown, and off again', async ({ page }) => {
    await page.goto(`/sessions/${vm.session.id}`);
    await signIn(page, vm.user);
    const viewer = page.frameLocator('iframe[title^="Desktop of"]');
    await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
    const button = viewer.getByTestId('toolbar-fullscreen');
    await expect(button).toHaveAttribute('aria-pressed', 'false');
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'true');
    await expect(button).toHaveAccessibleName('Exit fullscreen');
    expect(await viewer.locator('body').evaluate(() => document.fullscreenElement?.tagName)).toBe('DIV');
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'false');
    expect(await viewer.locator('body').evaluate(() => document.fullscreenElement)).toBeNull();
  });

  test('remote resize: the VM desktop takes the window size and follows it; fit shows it whole; 1:1 scrolls', async ({ page }) => {
    await page.setViewportSize({ width: 1000, height: 700 });
    await openViewer(page, vm);
    // Fit (the default): the VM keeps its 1280×800, scaled down to stay whole in the window.
    let g = await geometry(page);
    const followsScreen = async () => {
      const now = await geometry(page);
      return now.fb.w === now.screen.w && now.fb.h === now.screen.h;
    };
    expect(g.fb).toEqual({ w: 1280, h: 800 });
    expect(g.inside).toBe(true);

    await chooseScaling(page, 'Resize the VM');
    await expect.poll(() => followsScreen(), { message: "the VM's desktop takes the screen's size" }).toBe(true);
    await page.setViewportSize({ width: 820, height: 560 });
    await expect.poll(() => followsScreen(), { message: 'and follows the window' }).toBe(true);
    g = await geometry(page);
    expect(g.fb).toEqual({ w: 820, h: g.screen.h });
    expect(g.fb.h).toBeLessThan(560);
    await expect(page.getByTestId('viewer-note')).toHaveText('');

    // Back to fit: the desktop stays whole whatever the window does.
    await chooseScaling(page, 'Fit to window');
    await page.setViewportSize({ width: 500, height: 420 });
    await expect.poll(async () => (await geometry(page)).inside).toBe(true);
    g = await geometry(page);
    expect(g.shown.w).toBeLessThan(g.fb.w);

    // 1:1: pixel for pixel, and the rest is a scroll away.
    await chooseScaling(page, '1:1 with scrollbars');
    await expect.poll(async () => (await geometry(page)).shown).toEqual(g.fb);
    expect((await geometry(page)).scrolls).toBe(true);
  });

  test('Tab into the desktop, type a command, leave with Ctrl+Alt+Shift or Esc twice; one Esc stays in', async ({ page }) => {
    await openViewer(page, vm);
    const toolbar = page.getByRole('toolbar', { name: 'Viewer' });
    const hint = page.getByTestId('desktop-hint');
    await expect(hint).toContainText('Ctrl+Alt+Shift, or Esc twice, leaves the desktop');
    // No window manager: keys go to the window under the pointer, so it rests on the xterm (a hover, not a click).
    const box = (await page.getByTestId('vnc-desktop').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25);
    await toolbar.getByTestId('toolbar-fullscreen').focus();

    await tabIntoDesktop(page);
    await expect(hint).toContainText('Keys go to the desktop.');
    const first = await typeWrite(page, vm.session.id);
    await expect.poll(() => written(first.file), { message: 'the command typed with the keyboard ran' }).toBe(`${first.word}\n`);

    await page.keyboard.press('Control+Alt+Shift');
    await expect.poll(() => focusInToolbar(toolbar), { message: 'Ctrl+Alt+Shift moved focus to the toolbar' }).toBe(true);
    await expect(hint).toContainText('Click the desktop or Tab to it to type.');
    await expect(toolbar.getByTestId('toolbar-fullscreen')).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(toolbar.getByTestId('toolbar-view-only')).toBeFocused();

    // A single Escape is the VM's (bash takes it as a Meta prefix; the space after it is harmless there).
    await tabIntoDesktop(page);
    await page.keyboard.press('Escape');
    const second = await typeWrite(page, vm.session.id, ' ');
    await expect.poll(() => written(second.file), { message: 'after one Escape the keys still reach the VM' }).toBe(`${second.word}\n`);
    await expect(page.getByTestId('vnc-desktop')).toBeFocused();

    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await expect.poll(() => focusInToolbar(toolbar), { message: 'Esc twice moved focus to the toolbar' }).toBe(true);
    for (const f of [first.file, second.file]) fs.rmSync(f, { force: true });
  });

  test('view only: keys typed into the desktop do nothing until it is turned off', async ({ page }) => {
    await openViewer(page, vm);
    const box = (await page.getByTestId('vnc-desktop').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25);
    const toggle = page.getByTestId('toolbar-view-only');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('desktop-hint')).toHaveText('View only: your keys and pointer do not reach the desktop.');
    await page.getByTestId('vnc-desktop').click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
    const ignored = await typeWrite(page, vm.session.id);

    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await tabIntoDesktop(page);
    const marker = await typeWrite(page, vm.session.id);
    // The command typed after view only ran; the one typed during it never reached the shell before it.
    await expect.poll(() => written(marker.file), { message: 'keys reach the VM again' }).toBe(`${marker.word}\n`);
    expect(written(ignored.file), 'the command typed in view only did not run').toBeNull();
    fs.rmSync(marker.file, { force: true });
  });

  test('quality and compression change on the same socket and are remembered after a reload', async ({ page }) => {
    const sockets: WebSocket[] = [];
    page.on('websocket', (ws) => ws.url().includes('/vnc') && sockets.push(ws));
    await openViewer(page, vm);
    expect(sockets).toHaveLength(1);

    await page.getByRole('button', { name: 'Display settings' }).click();
    const panel = page.getByRole('dialog', { name: 'Display settings' });
    await panel.getByRole('slider', { name: 'Quality' }).fill('2');
    await panel.getByRole('slider', { name: 'Compression' }).fill('8');
    await expect(panel.getByTestId('display-save')).toHaveText('Saved for your account.');
    await expect(panel.getByText('2 / 9')).toBeVisible();
    // Still the one socket, still open, still live: noVNC sent the new encodings on it.
    expect(sockets).toHaveLength(1);
    expect(sockets[0].isClosed()).toBe(false);
    await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live');
    const saved = await (await vm.api.get('/api/preferences')).json();
    expect(saved).toEqual({ viewer: { scaling: 'fit', quality: 2, compression: 8 } });

    await page.reload();
    await expectTerminal(page);
    await page.getByRole('button', { name: 'Display settings' }).click();
    await expect(panel.getByRole('slider', { name: 'Quality' })).toHaveValue('2');
    await expect(panel.getByRole('slider', { name: 'Compression' })).toHaveValue('8');
  });

  test('on a phone-width screen the controls are a menu that works from the keyboard', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openViewer(page, vm);
    await expect(page.getByTestId('toolbar-view-only')).toBeHidden();
    const menuButton = page.getByRole('button', { name: 'Viewer menu' });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Viewer' });
    await expect(menu.getByRole('menuitemcheckbox', { name: /Fullscreen/ })).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitemcheckbox', { name: /View only/ })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(menu).toBeHidden();
    await expect(page.getByTestId('desktop-hint')).toHaveText('View only: your keys and pointer do not reach the desktop.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});


const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

test.describe('the VM viewer and a VNC server that refuses to resize', () => {
  test('remote resize falls back to fit and says why; the mode chosen last time applies on load', async ({ page, users, admin, baseURL }) => {
    const user = await users.create();
    const asUser = await apiAs(baseURL, user);
    const asAdmin = await apiAs(baseURL, admin);
    const port = await freePort();
    let display = 600 + Math.floor(Math.random() * 300);
    while (fs.existsSync(`/tmp/.X11-unix/X${display}`)) display++;
    let xvnc: ChildProcess | undefined;
    try {
      // TigerVNC's own switch for it: SetDesktopSize is answered "administratively prohibited".
      xvnc = spawn('Xvnc', [`:${display}`, '-rfbport', String(port), '-localhost', '-SecurityTypes', 'None', '-geometry', '1024x640', '-AcceptSetDesktopSize=0'], { stdio: 'ignore' });
      await expect.poll(() => listening(port), { message: 'Xvnc listens' }).toBe(true);
      const res = await asAdmin.post('/api/sessions', { data: { name: 'Fixed size', target: `tcp://127.0.0.1:${port}`, ownerId: user.id } });
      expect(res.status(), await res.text()).toBe(201);
      const session = (await res.json()) as PublicSession;
      expect((await asUser.put('/api/preferences', { data: { viewer: { scaling: 'remote' } } })).status()).toBe(200);

      await page.setViewportSize({ width: 900, height: 600 });
      await page.goto('/');
      await signIn(page, user);
      await expect(page.getByRole('region', { name: 'VM sessions' })).toBeVisible();
      await page.goto(`/vnc/${session.id}`);
      await expect(page.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
      await expect(page.getByTestId('viewer-note')).toHaveText("The VM did not take the window's size (it keeps 1024×640), so its desktop is fit to the window.", { timeout: 10_000 });
      const g = await geometry(page);
      expect(g.fb).toEqual({ w: 1024, h: 640 });
      expect(g.inside).toBe(true);
      await page.getByRole('button', { name: 'Display settings' }).click();
      await expect(page.getByRole('radio', { name: /Resize the VM/ })).toBeChecked();
    } finally {
      xvnc?.kill('SIGKILL');
      // Killed, it leaves its display's lock and socket behind.
      for (const f of [`/tmp/.X${display}-lock`, `/tmp/.X11-unix/X${display}`]) fs.rmSync(f, { force: true });
      await asUser.dispose();
      await asAdmin.dispose();
    }
  });
});

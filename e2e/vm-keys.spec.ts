import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { apiAs, expect, signIn, test, type CreatedUser } from './fixtures';
import { createSession, expectHomeFile, expectTerminal, homeFile, readOrNull, viewerFrame } from './vm-keys-fixtures';

// The viewer's clipboard both ways and its extra-keys bar, in Chromium against a local VM (TigerVNC's
// Xvnc with an xterm, xclip in the sandbox). What the VM received is read back from files its shell
// writes into the session's home.

async function openSession(page: Page, user: CreatedUser, baseURL: string | undefined, name: string) {
  const api = await apiAs(baseURL, user);
  const session = await createSession(api, name);
  await page.goto(`/sessions/${session.id}`);
  await signIn(page, user);
  const viewer = await expectTerminal(page);
  // Into the xterm (it fills the desktop; without a window manager the pointer's window gets the keys).
  const canvas = viewer.getByTestId('vnc-screen').locator('canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
  return {
    session,
    viewer,
    async cleanup() {
      await api.delete(`/api/sessions/${session.id}`);
      await api.dispose();
    },
  };
}

async function run(page: Page, command: string) {
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

test.describe('the viewer: clipboard and extra keys', () => {
  test('text copied in the VM arrives in the browser clipboard, and Paste sets the VM clipboard', async ({ browser, baseURL, users }) => {
    const context = await browser.newContext({ baseURL, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    const user = await users.create();
    const { session, viewer, cleanup } = await openSession(page, user, baseURL, 'Clipboard');
    try {
      const readBrowserClipboard = () => viewerFrame(page).evaluate(() => navigator.clipboard.readText());

      // VM → browser: the CLIPBOARD selection, then PRIMARY (what selecting text in an xterm sets).
      const copied = `copied-${randomBytes(4).toString('hex')}`;
      await run(page, `echo -n ${copied} | xclip -selection clipboard`);
      await expect.poll(readBrowserClipboard, { message: 'the browser clipboard has what the VM copied', timeout: 10_000 }).toBe(copied);
      await expect(viewer.getByTestId('clipboard-status')).toHaveText(/Copied from the desktop/);
      const selected = `selected-${randomBytes(4).toString('hex')}`;
      await run(page, `echo -n ${selected} | xclip -selection primary`);
      await expect.poll(readBrowserClipboard, { message: 'a PRIMARY selection arrives too', timeout: 10_000 }).toBe(selected);

      // Browser → VM: what the browser's clipboard holds becomes the VM's clipboard on Paste.
      const pasted = `pasted-${randomBytes(4).toString('hex')}`;
      await viewerFrame(page).evaluate((text) => navigator.clipboard.writeText(text), pasted);
      await viewer.getByRole('button', { name: 'Paste into the desktop' }).click();
      await expect(viewer.getByTestId('clipboard-status')).toHaveText(/Sent to the desktop's clipboard/);
      const out = homeFile(session.id, 'pasted');
      await viewer.getByTestId('vnc-screen').locator('canvas').click({ position: { x: 40, y: 40 } });
      await run(page, `xclip -o -selection clipboard > ~/${out.name}`);
      await expectHomeFile(out.host, pasted);
      fs.rmSync(out.host, { force: true });

      // Past the bound (256 KiB) either way nothing is carried, and the panel says why.
      await run(page, 'head -c 300000 /dev/zero | tr "\\0" a | xclip -selection clipboard');
      const panel = viewer.getByRole('region', { name: 'Clipboard' });
      await expect(panel.getByTestId('clipboard-hint')).toHaveText('The desktop copied 300,000 characters, more than the 262,144 the viewer carries; nothing was copied here.', { timeout: 10_000 });
      expect(await readBrowserClipboard(), 'the browser clipboard kept what it had').toBe(pasted);
      await panel.getByRole('button', { name: 'Close the clipboard' }).click();
      await viewerFrame(page).evaluate(() => navigator.clipboard.writeText('b'.repeat(300_001)));
      await viewer.getByRole('button', { name: 'Paste into the desktop' }).click();
      await expect(panel.getByTestId('clipboard-hint')).toHaveText('The text has 300,001 characters, more than the 262,144 the viewer carries; nothing was sent to the desktop.');
    } finally {
      await cleanup();
      await context.close();
    }
  });

  test('when the browser will not let the page read or write its clipboard, the panel holds the text either way', async ({ browser, baseURL, users }) => {
    const context = await browser.newContext({ baseURL });
    // A browser that refuses writing too (Firefox and Safari without a click): Chromium would allow it.
    await context.addInitScript(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
    });
    const page = await context.newPage();
    const user = await users.create();
    const { session, viewer, cleanup } = await openSession(page, user, baseURL, 'No clipboard');
    try {
      await viewer.getByRole('button', { name: 'Paste into the desktop' }).click();
      const panel = viewer.getByRole('region', { name: 'Clipboard' });
      await expect(panel.getByTestId('clipboard-hint')).toHaveText(/did not let this page read its clipboard/);
      const out = homeFile(session.id, 'typed');
      const word = randomBytes(4).toString('hex');
      await panel.getByLabel('Clipboard text').fill(`echo ${word} > ~/${out.name}\n`);
      await panel.getByRole('button', { name: 'Type it into the desktop' }).click();
      await expect(panel).toHaveCount(0);
      await expectHomeFile(out.host, `${word}\n`);
      fs.rmSync(out.host, { force: true });

      // The VM copies; the browser will not take it: the panel holds the text, and the focus stays on the
      // desktop (the next command typed still reaches the shell).
      const copied = `copied-${randomBytes(4).toString('hex')}`;
      await run(page, `echo -n ${copied} | xclip -selection clipboard`);
      await expect(panel.getByTestId('clipboard-hint')).toHaveText(/did not let this page write to its clipboard/, { timeout: 10_000 });
      await expect(panel.getByLabel('Clipboard text')).toHaveValue(copied);
      const after = homeFile(session.id, 'after');
      await run(page, `echo ok > ~/${after.name}`);
      await expectHomeFile(after.host, 'ok\n');
      fs.rmSync(after.host, { force: true });
    } finally {
      await cleanup();
      await context.close();
    }
  });

  test("the extra-keys bar's sticky Ctrl turns the next key into Ctrl-C, which interrupts the VM's shell", async ({ page, baseURL, users }) => {
    const user = await users.create();
    const { session, viewer, cleanup } = await openSession(page, user, baseURL, 'Extra keys');
    const late = homeFile(session.id, 'late');
    const done = homeFile(session.id, 'done');
    try {
      await viewer.getByRole('button', { name: 'Show extra keys' }).click();
      const bar = viewer.getByRole('toolbar', { name: 'Extra keys' });
      const ctrl = bar.getByRole('button', { name: 'Ctrl', exact: true });
      await expect(bar.getByRole('button', { name: 'F12' })).toBeVisible();

      await run(page, `sleep 100; echo late > ~/${late.name}`);
      await ctrl.click();
      await expect(ctrl).toHaveAttribute('aria-pressed', 'true');
      // The click kept the focus on the desktop, so the physical keyboard's C goes there, with Ctrl held.
      await page.keyboard.press('c');
      await expect(ctrl).toHaveAttribute('aria-pressed', 'false');
      // The shell only runs this once the sleep is gone: interrupted, not waited out.
      await run(page, `echo done > ~/${done.name}`);
      await expectHomeFile(done.host, 'done\n');
      expect(readOrNull(late.host), 'the rest of the interrupted line never ran').toBeNull();

      // Double tap locks; a tap releases.
      await ctrl.dblclick();
      await expect(ctrl).toHaveAttribute('data-latch', 'locked');
      await ctrl.click();
      await expect(ctrl).toHaveAttribute('data-latch', 'off');

      // From the keyboard: one Tab stop, arrows and Home / End along the bar, Space presses.
      await ctrl.focus();
      await expect(ctrl).toHaveAttribute('tabindex', '0');
      await page.keyboard.press('End');
      await expect(bar.getByRole('button', { name: 'Send Ctrl-Alt-Del' })).toBeFocused();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      const alt = bar.getByRole('button', { name: 'Alt', exact: true });
      await expect(alt).toBeFocused();
      await page.keyboard.press('Space');
      await expect(alt).toHaveAttribute('aria-pressed', 'true');
      // Three keys along is Esc: pressing it uses the latched Alt and lets it go.
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      await expect(bar.getByRole('button', { name: 'Escape' })).toBeFocused();
      await page.keyboard.press('Space');
      await expect(alt).toHaveAttribute('aria-pressed', 'false');

      // The on-screen keyboard from the keyboard: Enter opens it, Shift+Tab leaves it (Tab alone is the VM's).
      const keyboard = viewer.getByRole('button', { name: 'On-screen keyboard' });
      await keyboard.focus();
      await page.keyboard.press('Enter');
      await expect(viewer.getByTestId('keyboard-input')).toBeFocused();
      await page.keyboard.press('Shift+Tab');
      await expect(viewer.getByTestId('keyboard-input')).not.toBeFocused();
      await expect(keyboard).toHaveAttribute('aria-pressed', 'false');

      // This browser keeps the bar as it was left.
      await page.reload();
      await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
      await expect(bar).toBeVisible();
      await viewer.getByRole('button', { name: 'Hide extra keys' }).click();
      await page.reload();
      await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
      await expect(viewer.getByRole('button', { name: 'Show extra keys' })).toBeVisible();
      await expect(bar).toHaveCount(0);
    } finally {
      fs.rmSync(late.host, { force: true });
      fs.rmSync(done.host, { force: true });
      await cleanup();
    }
  });
});

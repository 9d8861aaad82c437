import fs from 'node:fs';
import type { CDPSession, FrameLocator, Page } from '@playwright/test';
import { apiAs, expect, signIn, test } from './fixtures';
import { createSession, expectHomeFile, expectTerminal, homeFile, readOrNull } from './vm-keys-fixtures';

// The viewer on a phone (390×844, touch): nothing wider than the screen, the on-screen keyboard's keys
// reach the VM, the extra-keys bar's Ctrl makes a Ctrl-C, and a pinch zooms the view (not the VM), a
// one-finger drag then pans it and the Fit button brings the whole desktop back.

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

async function noSidewaysScroll(where: Page | FrameLocator) {
  const measure = () => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth });
  const widths = 'evaluate' in where ? await where.evaluate(measure) : await where.locator('html').evaluate(measure);
  expect(widths.scroll, 'nothing is wider than the window').toBeLessThanOrEqual(widths.inner);
}

/** Touches through the DevTools protocol: real touch events, so noVNC's gesture handler sees a real pinch. */
async function touch(cdp: CDPSession, type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p, id) => ({ ...p, id })) });
}

async function typeOnScreen(page: Page, text: string) {
  // What a phone keyboard does: text arrives in the focused field (insertText, no reliable keydown).
  for (const ch of text) await page.keyboard.insertText(ch);
}

test.describe('the viewer on a phone', () => {
  test('fits the screen, types through the on-screen keyboard, sends Ctrl-C from the extra keys, and pinch zooms the view', async ({ page, baseURL, users }) => {
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const session = await createSession(api, 'Phone');
    const typed = homeFile(session.id, 'typed');
    const late = homeFile(session.id, 'late');
    const done = homeFile(session.id, 'done');
    try {
      await page.goto(`/sessions/${session.id}`);
      await signIn(page, user);
      const viewer = await expectTerminal(page);
      await noSidewaysScroll(page);
      await noSidewaysScroll(viewer);

      // A touch screen gets the bar without asking.
      const bar = viewer.getByRole('toolbar', { name: 'Extra keys' });
      await expect(bar).toBeVisible();

      // A tap on the desktop is a click; the keyboard button opens the phone's keyboard (focuses its field).
      await viewer.getByTestId('vnc-screen').locator('canvas').tap({ position: { x: 60, y: 40 } });
      const keyboard = viewer.getByRole('button', { name: 'On-screen keyboard' });
      await keyboard.tap();
      await expect(viewer.getByTestId('keyboard-input')).toBeFocused();
      await expect(keyboard).toHaveAttribute('aria-pressed', 'true');

      // A tap on the desktop while typing is a click, and the keyboard stays open.
      await viewer.getByTestId('vnc-screen').locator('canvas').tap({ position: { x: 80, y: 50 } });
      await expect(viewer.getByTestId('keyboard-input')).toBeFocused();

      // Characters, Backspace and Enter reach the VM.
      await typeOnScreen(page, 'echo abx');
      await page.keyboard.press('Backspace');
      await typeOnScreen(page, `c > ~/${typed.name}`);
      await page.keyboard.press('Enter');
      await expectHomeFile(typed.host, 'abc\n');

      // Ctrl from the bar, then C from the on-screen keyboard: Ctrl-C interrupts the shell's sleep.
      await typeOnScreen(page, `sleep 100; echo late > ~/${late.name}`);
      await page.keyboard.press('Enter');
      const ctrl = bar.getByRole('button', { name: 'Ctrl', exact: true });
      await ctrl.tap();
      await expect(ctrl).toHaveAttribute('aria-pressed', 'true');
      await expect(viewer.getByTestId('keyboard-input'), 'the keyboard stayed open').toBeFocused();
      await typeOnScreen(page, 'c');
      await expect(ctrl).toHaveAttribute('aria-pressed', 'false');
      await typeOnScreen(page, `echo done > ~/${done.name}`);
      await page.keyboard.press('Enter');
      await expectHomeFile(done.host, 'done\n');
      expect(readOrNull(late.host), 'the rest of the interrupted line never ran').toBeNull();
      await keyboard.tap();
      await expect(viewer.getByTestId('keyboard-input')).not.toBeFocused();
      await expect(keyboard).toHaveAttribute('aria-pressed', 'false');

      // Pinch out over the desktop: the view zooms (the badge says how much) and still fits sideways. A
      // latched Ctrl waits through it for a key (the pinch sent the VM nothing).
      await ctrl.tap();
      await expect(ctrl).toHaveAttribute('aria-pressed', 'true');
      const screen = viewer.getByTestId('vnc-screen');
      const box = (await screen.boundingBox())!;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      const cdp = await page.context().newCDPSession(page);
      await touch(cdp, 'touchStart', [{ x: cx - 20, y: cy }, { x: cx + 20, y: cy }]);
      for (let d = 30; d <= 120; d += 10) await touch(cdp, 'touchMove', [{ x: cx - d, y: cy }, { x: cx + d, y: cy }]);
      await touch(cdp, 'touchEnd', []);
      const badge = viewer.getByTestId('zoom-badge');
      await expect(badge).toBeVisible();
      expect(Number(await badge.getAttribute('data-zoom'))).toBeGreaterThan(2);
      await expect(ctrl).toHaveAttribute('aria-pressed', 'true');
      await bar.getByRole('button', { name: 'Escape' }).tap();
      await expect(ctrl).toHaveAttribute('aria-pressed', 'false');
      await noSidewaysScroll(page);
      await noSidewaysScroll(viewer);

      // One finger drags the view, not the VM's pointer.
      const scrolled = () => screen.evaluate((el) => el.scrollLeft);
      const before = await scrolled();
      await touch(cdp, 'touchStart', [{ x: cx, y: cy }]);
      for (let d = 10; d <= 120; d += 10) await touch(cdp, 'touchMove', [{ x: cx - d, y: cy }]);
      await touch(cdp, 'touchEnd', []);
      await expect.poll(scrolled, { message: 'the view panned right' }).toBeGreaterThan(before + 60);

      await badge.tap();
      await expect(badge).toHaveCount(0);
      expect(await scrolled()).toBe(0);
      await cdp.detach();
    } finally {
      for (const f of [typed, late, done]) fs.rmSync(f.host, { force: true });
      await api.delete(`/api/sessions/${session.id}`);
      await api.dispose();
    }
  });
});


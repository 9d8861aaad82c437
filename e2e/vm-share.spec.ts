import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, FrameLocator, Page } from '@playwright/test';
import type { CreatedShare, PublicSession } from '@/lib/protocol/api';
import { apiAs, expect, signIn, test } from './fixtures';
import { ENV, fromEnv } from './server-env';

// Sharing a VM session (issue 14 point 6) in Chromium against the production server with the local
// provider: the owner makes a link on the session page, a second user opens it, signs in, accepts, and
// sees the desktop with the link's rights; a revoke stops their viewer with 4403's sentence.

const NO_ACCESS = "You don't have access to this.";
const XTERM_BACKGROUND = [0x1b, 0x1c, 0x1a];

const homeOf = (sessionId: string) => path.join(fromEnv(ENV.dataDir), 'vnc', sessionId, 'home');

async function createSession(api: APIRequestContext, name: string): Promise<PublicSession> {
  const res = await api.post('/api/sessions', { data: { name } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as PublicSession;
}

function viewerOf(page: Page): FrameLocator {
  return page.frameLocator('iframe[title^="Desktop of"]');
}

/** Waits until the frame shows a live desktop with the xterm on it. */
async function expectTerminal(page: Page): Promise<FrameLocator> {
  const viewer = viewerOf(page);
  await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await expect
    .poll(
      () =>
        viewer.locator('canvas').evaluate((canvas: HTMLCanvasElement, bg: number[]) => {
          const ctx = canvas.getContext('2d', { willReadFrequently: true });
          if (!ctx || !canvas.width) return false;
          const px = ctx.getImageData(Math.floor(canvas.width / 4), Math.floor(canvas.height / 4), 1, 1).data;
          return px[0] === bg[0] && px[1] === bg[1] && px[2] === bg[2];
        }, XTERM_BACKGROUND),
      { message: 'the desktop shows the terminal', timeout: 15_000 },
    )
    .toBe(true);
  return viewer;
}

/** Clicks into the xterm (top left) and types a command that would write `name` into the VM's home. */
async function typeTouch(page: Page, viewer: FrameLocator, name: string): Promise<void> {
  const canvas = viewer.locator('canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
  await page.keyboard.type(`touch ~/${name}`);
  await page.keyboard.press('Enter');
}

test.describe('sharing a VM session', () => {
  test('a view-only link shows the desktop to a second user whose keys do nothing; revoke stops it with 4403', async ({ page, browser, users, baseURL }) => {
    const owner = await users.create();
    const guest = await users.create();
    const asOwner = await apiAs(baseURL, owner);
    const session = await createSession(asOwner, 'Team desktop');
    const guestContext = await browser.newContext();
    const guestPage = await guestContext.newPage();
    try {
      // The owner makes a view-only link from the session page.
      await page.goto(`/sessions/${session.id}`);
      await signIn(page, owner);
      const ownerViewer = await expectTerminal(page);
      await page.getByRole('button', { name: 'Share' }).click();
      const panel = page.getByRole('dialog', { name: 'Share “Team desktop”' });
      await panel.getByRole('radio', { name: /View only/ }).check();
      await panel.getByLabel('Expires after').selectOption('1h');
      await panel.getByRole('button', { name: 'Create link' }).click();
      const link = await panel.getByLabel('The link (shown only now: copy it)').inputValue();
      expect(link).toMatch(/\/share\/[\w-]{43}$/);
      await panel.getByRole('button', { name: 'Close' }).click();
      await expect(panel).toBeHidden();

      // The guest opens it: sign in first, then back to the link, which says what it gives.
      await guestPage.goto(link);
      await expect(guestPage).toHaveURL(/\/login\?next=/);
      await signIn(guestPage, guest);
      await expect(guestPage).toHaveURL(link);
      await expect(guestPage.getByTestId('share-gives')).toHaveText('You can watch');
      await expect(guestPage.getByText(`Shared by ${owner.username}`)).toBeVisible();
      await guestPage.getByRole('button', { name: 'Accept and open the session' }).click();

      // The session as the guest sees it: who shared it, what they may do, no Share and no Delete.
      await expect(guestPage).toHaveURL(new RegExp(`/sessions/${session.id}$`));
      await expect(guestPage.getByRole('heading', { name: 'Team desktop' })).toBeVisible();
      await expect(guestPage.getByTestId('shared-access')).toHaveText(`You can watch · shared by ${owner.username}`);
      await expect(guestPage.getByRole('button', { name: 'Delete' })).toHaveCount(0);
      await expect(guestPage.getByRole('button', { name: 'Share' })).toHaveCount(0);
      const guestViewer = await expectTerminal(guestPage);
      await expect(guestViewer.getByTestId('view-only-locked')).toBeVisible();

      // The guest types; then the owner does. Once the owner's file is there, the guest's keys (sent
      // first) would have been too: their file must not be.
      const blocked = `guest-${randomBytes(4).toString('hex')}`;
      const written = `owner-${randomBytes(4).toString('hex')}`;
      await typeTouch(guestPage, guestViewer, blocked);
      await typeTouch(page, ownerViewer, written);
      await expect.poll(() => fs.existsSync(path.join(homeOf(session.id), written)), { message: "the owner's command ran", timeout: 10_000 }).toBe(true);
      expect(fs.existsSync(path.join(homeOf(session.id), blocked)), "the guest's keys did nothing").toBe(false);

      // The owner sees who accepted the link and who is watching now.
      await page.getByRole('button', { name: 'Share' }).click();
      const row = panel.getByTestId('share-row').filter({ hasText: 'View only' });
      await expect(row).toContainText(`Accepted by ${guest.username}`);
      await expect(panel.getByTestId('watching-now')).toContainText(guest.username, { timeout: 5000 });

      // Revoke: the guest's viewer stops with 4403's sentence, and a new connect is refused the same way.
      await row.getByRole('button', { name: 'Revoke' }).click();
      await expect(guestViewer.getByRole('alert').filter({ hasText: NO_ACCESS })).toBeVisible({ timeout: 5000 });
      await guestPage.goto(`/vnc/${session.id}`);
      await expect(guestPage.getByRole('alert').filter({ hasText: NO_ACCESS })).toBeVisible({ timeout: 10_000 });
      await expect(panel.getByTestId('watching-now')).not.toContainText(guest.username, { timeout: 5000 });
    } finally {
      await guestContext.close();
      await asOwner.delete(`/api/sessions/${session.id}`);
      await asOwner.dispose();
    }
  });

  test("an interactive link's user works in the desktop", async ({ page, users, baseURL }) => {
    const owner = await users.create();
    const guest = await users.create();
    const asOwner = await apiAs(baseURL, owner);
    const asGuest = await apiAs(baseURL, guest);
    const session = await createSession(asOwner, 'Pairing desktop');
    try {
      const made = await asOwner.post(`/api/sessions/${session.id}/shares`, { data: { rights: 'interactive', expires: '1d' } });
      expect(made.status(), await made.text()).toBe(201);
      const { path: sharePath } = (await made.json()) as CreatedShare;
      expect((await asGuest.post(`/api/shares/${sharePath.slice('/share/'.length)}/accept`)).status()).toBe(200);

      await page.goto(`/sessions/${session.id}`);
      await signIn(page, guest);
      await expect(page.getByTestId('shared-access')).toHaveText(`You can work in this desktop · shared by ${owner.username}`);
      const viewer = await expectTerminal(page);
      await expect(viewer.getByTestId('view-only-locked')).toHaveCount(0);
      const written = `guest-${randomBytes(4).toString('hex')}`;
      await typeTouch(page, viewer, written);
      await expect.poll(() => fs.existsSync(path.join(homeOf(session.id), written)), { message: "the guest's command ran", timeout: 10_000 }).toBe(true);
    } finally {
      await asOwner.delete(`/api/sessions/${session.id}`);
      await asOwner.dispose();
      await asGuest.dispose();
    }
  });
});

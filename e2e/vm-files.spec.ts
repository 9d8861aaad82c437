import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from '@playwright/test';
import type { PublicSession } from '@/lib/protocol/api';
import { apiAs, expect, signIn, test } from './fixtures';
import { ENV, fromEnv } from './server-env';

// Files into and out of a VM (issue 14 point 5): from the session page's Files dialog into the VM's home,
// seen by `ls` in the VM's own terminal; and a file the VM made, downloaded byte-exact.

const XTERM_BACKGROUND = [0x1b, 0x1c, 0x1a];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const homeOf = (sessionId: string) => path.join(fromEnv(ENV.dataDir), 'vnc', sessionId, 'home');

async function terminal(page: Page): Promise<FrameLocator> {
  const viewer = page.frameLocator('iframe[title^="Desktop of"]');
  await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await expect
    .poll(
      () =>
        viewer.locator('canvas').evaluate((canvas: HTMLCanvasElement, bg: number[]) => {
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          for (let i = 0; i < data.length; i += 4 * 97) if (data[i] === bg[0] && data[i + 1] === bg[1] && data[i + 2] === bg[2]) return true;
          return false;
        }, XTERM_BACKGROUND),
      { message: 'the desktop shows the terminal', timeout: 15_000 },
    )
    .toBe(true);
  return viewer;
}

/** Types a command into the xterm (top left of the desktop, where the pointer gives it the keys). */
async function typeCommand(page: Page, viewer: FrameLocator, command: string): Promise<void> {
  const canvas = viewer.locator('canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width * 0.25, y: box.height * 0.25 } });
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

test.describe('files into and out of a VM', () => {
  test('uploads (chosen and dropped) land in the home and `ls` in the VM lists them; a file made in the VM downloads byte-exact', async ({ page, users, baseURL }) => {
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const res = await api.post('/api/sessions', { data: { name: 'File desk' } });
    expect(res.status(), await res.text()).toBe(201);
    const session = (await res.json()) as PublicSession;
    const home = homeOf(session.id);
    try {
      await page.goto(`/sessions/${session.id}`);
      await signIn(page, user);
      const viewer = await terminal(page);

      await page.getByRole('button', { name: 'Files' }).click();
      const dialog = page.getByRole('dialog', { name: 'Files in the VM’s home' });
      await expect(dialog).toBeVisible();
      const entry = (name: string) => dialog.locator(`[data-testid="home-entry"][data-name="${name}"]`);
      await expect(dialog.getByRole('list', { name: 'Files' }).or(dialog.getByText('This folder is empty'))).toBeVisible();

      // Two at once through the picker, with their progress rows.
      const first = randomBytes(200_000);
      await dialog.getByLabel('Choose files to upload into the VM').setInputFiles([
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the browser\n') },
        { name: 'blob.bin', mimeType: 'application/octet-stream', buffer: first },
      ]);
      await expect(dialog.getByTestId('upload-row').and(page.locator('[data-state="done"]'))).toHaveCount(2, { timeout: 15_000 });
      await expect(entry('notes.txt')).toBeVisible();
      await expect(entry('blob.bin')).toContainText('195 KB');

      // One dropped on the dialog.
      const dropped = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
        return dt;
      });
      const zone = dialog.locator('div').first();
      await zone.dispatchEvent('dragenter', { dataTransfer: dropped });
      await zone.dispatchEvent('drop', { dataTransfer: dropped });
      await expect(entry('dropped.txt')).toBeVisible({ timeout: 10_000 });

      expect(sha(fs.readFileSync(path.join(home, 'blob.bin')))).toBe(sha(first));
      expect(fs.readFileSync(path.join(home, 'dropped.txt'), 'utf8')).toBe('dropped bytes');
      const vmUid = fs.statSync(home).uid;
      expect(fs.statSync(path.join(home, 'notes.txt')).uid, 'owned by the VM user').toBe(vmUid);

      // The VM sees them: `ls` in its own terminal.
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toBeHidden();
      await typeCommand(page, viewer, 'ls > listing.txt; head -c 65536 /dev/urandom > made.bin; sync');
      await expect
        .poll(() => (fs.existsSync(path.join(home, 'listing.txt')) ? fs.readFileSync(path.join(home, 'listing.txt'), 'utf8').split('\n').sort() : []), { timeout: 10_000 })
        .toEqual(expect.arrayContaining(['blob.bin', 'dropped.txt', 'notes.txt']));
      await expect.poll(() => (fs.existsSync(path.join(home, 'made.bin')) ? fs.statSync(path.join(home, 'made.bin')).size : 0), { timeout: 10_000 }).toBe(65536);

      // What the VM made comes back byte for byte.
      await page.getByRole('button', { name: 'Files' }).click();
      await expect(entry('made.bin')).toBeVisible();
      const download = page.waitForEvent('download');
      await dialog.getByRole('link', { name: 'Download made.bin' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('made.bin');
      expect(sha(fs.readFileSync((await file.path())!))).toBe(sha(fs.readFileSync(path.join(home, 'made.bin'))));

      // Folders are navigable.
      fs.mkdirSync(path.join(home, 'docs'));
      fs.chownSync(path.join(home, 'docs'), vmUid, vmUid);
      await dialog.getByRole('button', { name: 'Refresh' }).click();
      await entry('docs').getByRole('button').click();
      await expect(dialog.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'docs' })).toHaveAttribute('aria-current', 'location');
      await expect(dialog.getByText('This folder is empty')).toBeVisible();
      await dialog.getByLabel('Choose files to upload into the VM').setInputFiles([{ name: 'inside.txt', mimeType: 'text/plain', buffer: Buffer.from('in docs') }]);
      await expect(entry('inside.txt')).toBeVisible({ timeout: 10_000 });
      expect(fs.readFileSync(path.join(home, 'docs', 'inside.txt'), 'utf8')).toBe('in docs');
    } finally {
      await api.delete(`/api/sessions/${session.id}`);
      await api.dispose();
    }
  });
});

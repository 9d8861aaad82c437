import type { Locator, Page } from '@playwright/test';
import type { PublicSession } from '@/lib/protocol/api';
import { apiAs, expect, signIn, test } from './fixtures';
import { ENV, fromEnv } from './server-env';
import { startPortico } from './portico-server';
import { xvncOf } from '../tests/helpers/desktop-process';

// Honest state (issue 14 point 3): a desktop that was re-created says so, the header's badge follows the
// session live (stopped, deleted elsewhere), and the header fits a phone.

const viewerBadge = (page: Page) => page.frameLocator('iframe[title^="Desktop of"]').getByTestId('connection-badge');

test.describe('the state of a VM session, told honestly', () => {
  test('a VM that exited and was started again: the viewer says this is a new desktop and when the previous one ended', async ({ page, users, baseURL }) => {
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const res = await api.post('/api/sessions', { data: { name: 'Phoenix' } });
    expect(res.status(), await res.text()).toBe(201);
    const session = (await res.json()) as PublicSession;
    try {
      await page.goto(`/sessions/${session.id}`);
      await signIn(page, user);
      await expect(viewerBadge(page)).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
      const viewer = page.frameLocator('iframe[title^="Desktop of"]');
      // The first desktop this browser sees is not news.
      await expect(viewer.getByTestId('desktop-notice')).toHaveCount(0);

      process.kill(xvncOf(fromEnv(ENV.dataDir), session.id), 'SIGKILL');
      await expect(page.getByTestId('session-status')).toHaveText('Stopped', { timeout: 10_000 });
      const stopped = page.getByTestId('session-stopped');
      await expect(stopped).toContainText('The VM stopped at');
      await expect(page.getByRole('button', { name: 'Files' })).toBeDisabled();

      await stopped.getByRole('button', { name: 'Start again' }).click();
      await expect(page.getByTestId('session-status')).toHaveText('Running', { timeout: 15_000 });
      await expect(viewerBadge(page)).toHaveAttribute('data-state', 'live', { timeout: 15_000 });

      const now = (await (await api.get(`/api/sessions/${session.id}`)).json()) as PublicSession;
      const endedAt = await page.evaluate((ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), now.desktopEndedAt!);
      const notice = viewer.getByTestId('desktop-notice');
      await expect(notice).toContainText(`This is a new desktop; the previous one ended at ${endedAt}.`);
      await notice.getByRole('button', { name: 'Dismiss the notice' }).click();
      await expect(notice).toHaveCount(0);
      // Seen once is enough: a reload of the same desktop says nothing.
      await page.reload();
      await expect(viewerBadge(page)).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
      await expect(viewer.getByTestId('desktop-notice')).toHaveCount(0);
    } finally {
      await api.delete(`/api/sessions/${session.id}`);
      await api.dispose();
    }
  });

  test('a server restart: the open page reconnects to the new desktop and the viewer says so', async ({ page }) => {
    test.setTimeout(120_000);
    // A server of this test's own, since it is restarted.
    let server = await startPortico();
    try {
      const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(server.admin) });
      const { token } = (await login.json()) as { token: string };
      const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Survivor' }) });
      const session = (await res.json()) as PublicSession;
      await page.goto(`${server.url}/sessions/${session.id}`);
      await signIn(page, server.admin);
      await expect(viewerBadge(page)).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
      const viewer = page.frameLocator('iframe[title^="Desktop of"]');
      await expect(viewer.getByTestId('desktop-notice')).toHaveCount(0);

      server = await server.restart();
      await expect(viewer.getByTestId('desktop-notice')).toContainText('This is a new desktop; the previous one ended at', { timeout: 45_000 });
      await expect(page.getByTestId('session-status')).toHaveText('Running');
    } finally {
      await server.stop();
    }
  });

  test('a session deleted elsewhere shows as deleted, with a way back, not as running', async ({ page, users, baseURL }) => {
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const res = await api.post('/api/sessions', { data: { name: 'Short-lived' } });
    const session = (await res.json()) as PublicSession;
    await page.goto(`/sessions/${session.id}`);
    await signIn(page, user);
    await expect(page.getByTestId('session-status')).toHaveText('Running');
    await expect(viewerBadge(page)).toHaveAttribute('data-state', 'live', { timeout: 15_000 });

    expect((await api.delete(`/api/sessions/${session.id}`)).status()).toBe(204);
    await api.dispose();
    await expect(page.getByRole('heading', { name: 'This VM session was deleted.' })).toBeVisible({ timeout: 5000 });
    await expect(page.getByText('Running')).toHaveCount(0);
    await expect(page.locator('iframe')).toHaveCount(0);
    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test('on a phone (390×844) the header text never overlaps and nothing scrolls sideways', async ({ page, users, baseURL }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const res = await api.post('/api/sessions', { data: { name: 'A rather long session name for a small phone screen' } });
    const session = (await res.json()) as PublicSession;
    try {
      await page.goto(`/sessions/${session.id}`);
      await signIn(page, user);
      await expect(page.getByTestId('session-status')).toHaveText('Running');
      const parts: Locator[] = [
        page.getByTestId('session-header-title').getByRole('link', { name: 'Dashboard' }),
        page.getByRole('heading', { level: 1 }),
        page.getByTestId('session-status'),
        page.getByRole('button', { name: 'Files' }),
        page.getByRole('link', { name: 'Open in a new tab' }),
        page.getByRole('button', { name: 'Delete' }),
      ];
      const boxes = [];
      for (const p of parts) {
        await expect(p).toBeVisible();
        boxes.push((await p.boundingBox())!);
      }
      for (let i = 0; i < boxes.length; i++) {
        const a = boxes[i];
        expect(a.x, `part ${i} starts inside the screen`).toBeGreaterThanOrEqual(0);
        expect(a.x + a.width, `part ${i} ends inside the screen`).toBeLessThanOrEqual(390);
        for (let j = i + 1; j < boxes.length; j++) {
          const b = boxes[j];
          const overlap = a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
          expect(overlap, `header parts ${i} and ${j} overlap: ${JSON.stringify([a, b])}`).toBe(false);
        }
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, 'no horizontal overflow').toBeLessThanOrEqual(0);
    } finally {
      await api.delete(`/api/sessions/${session.id}`);
      await api.dispose();
    }
  });
});

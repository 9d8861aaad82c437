import path from 'node:path';
import type { Page } from '@playwright/test';
import { apiAs, expect, signIn, test } from './fixtures';

// What a page says about itself: the tab names the thing shown (and follows the page as you move about),
// and an address that names nothing of yours gets one message for the page, never one per panel.

const NO_SUCH_PROJECT = 'No such project, or it is not yours.';
const NO_SUCH_SESSION = 'No such VM session, or it is not yours.';

/** The panels a project page has when the project is there; none may show when it is not. */
async function expectNoPanels(page: Page): Promise<void> {
  for (const name of ['Build', 'Build history', 'Files']) await expect(page.getByRole('region', { name, exact: true })).toHaveCount(0);
  // The sentences each panel used to give on its own.
  await expect(page.getByText("You don't have access to this.")).toHaveCount(0);
  await expect(page.getByText('Not found.', { exact: true })).toHaveCount(0);
}

test.describe('page titles', () => {
  test('the tab names the project, then the page you move to', async ({ page, users, baseURL }) => {
    const user = await users.create();
    const api = await apiAs(baseURL, user);
    const created = await api.post('/api/projects', { data: { name: 'bakery' } });
    const { id } = (await created.json()) as { id: string };
    await api.dispose();

    await page.goto('/login');
    await expect(page).toHaveTitle('Sign in · Portico');
    await signIn(page, user);
    await expect(page).toHaveTitle('Dashboard · Portico');

    // A move inside the app (no reload): the client-rendered title takes over, and gives way again.
    await page.getByRole('link', { name: 'bakery' }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${id}$`));
    await expect(page.getByRole('heading', { level: 1, name: 'bakery' })).toBeVisible();
    await expect(page).toHaveTitle('bakery · Portico');
    await expect(page.locator('head title')).toHaveCount(1);

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page).toHaveTitle('Dashboard · Portico');

    // And straight from the address bar.
    await page.goto(`/projects/${id}`);
    await expect(page).toHaveTitle('bakery · Portico');
    await page.goto('/nothing-here');
    await expect(page).toHaveTitle('Not found · Portico');
  });
});

test.describe('one message for a page that names nothing of yours', () => {
  test("another user's project, a deleted one and a malformed id: one sentence, a way back, no panels", async ({ page, users, baseURL }) => {
    const owner = await users.create();
    const ownerApi = await apiAs(baseURL, owner);
    const theirs = (await (await ownerApi.post('/api/projects', { data: { name: 'secret recipes' } })).json()) as { id: string };
    const nosy = await users.create();
    const nosyApi = await apiAs(baseURL, nosy);
    const gone = (await (await nosyApi.post('/api/projects', { data: { name: 'soon gone' } })).json()) as { id: string };
    expect((await nosyApi.delete(`/api/projects/${gone.id}`)).status()).toBe(204);

    try {
      await page.goto(`/projects/${theirs.id}`);
      await signIn(page, nosy);
      await expect(page.getByTestId('signed-in-user')).toHaveText(nosy.username);
      for (const id of [theirs.id, gone.id, 'not-an-id!']) {
        await page.goto(`/projects/${encodeURIComponent(id)}`);
        const message = page.getByTestId('missing-resource');
        await expect(message.getByRole('heading', { level: 1, name: NO_SUCH_PROJECT })).toBeVisible();
        await expect(page.getByText(NO_SUCH_PROJECT)).toHaveCount(1);
        await expect(page).toHaveTitle('Not found · Portico');
        await expectNoPanels(page);
        // Nothing of the owner's shows, not even the name.
        await expect(page.getByText('secret recipes')).toHaveCount(0);
      }
      // For a person to look at (not compared).
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: path.join(test.info().project.outputDir, 'pages', 'no-such-project-390-dark.png') });

      await page.getByRole('link', { name: 'Back to the dashboard' }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    } finally {
      await ownerApi.delete(`/api/projects/${theirs.id}`);
      await ownerApi.dispose();
      await nosyApi.dispose();
    }
  });

  test('an unknown session: one sentence, a way back, no viewer', async ({ page, users }) => {
    const user = await users.create();
    await page.goto('/sessions/00000000000000000000000000');
    await signIn(page, user);
    await expect(page.getByRole('heading', { level: 1, name: NO_SUCH_SESSION })).toBeVisible();
    await expect(page.getByText(NO_SUCH_SESSION)).toHaveCount(1);
    await expect(page.locator('iframe')).toHaveCount(0);
    await expect(page).toHaveTitle('Not found · Portico');
    await expect(page.getByRole('link', { name: 'Back to the dashboard' })).toBeVisible();
  });
});

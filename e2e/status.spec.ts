import { expect, signIn, test } from './fixtures';

// The status page: what the server holds, live over the `system` topic.

test.describe('the status page', () => {
  test('counts a socket opened in another tab, and stops counting it when the tab closes', async ({ page, context, admin, request }) => {
    await page.goto('/');
    await signIn(page, admin);
    await page.getByRole('banner').getByRole('link', { name: 'Status' }).click();
    await expect(page).toHaveURL(/\/status$/);
    await expect(page.getByRole('heading', { name: 'Status' })).toBeVisible();
    await expect(page.getByRole('status', { name: 'Live system stats: Live' })).toBeVisible();
    await expect(page.getByTestId('upstream-build')).toHaveText('Reachable');
    await expect(page.getByRole('img', { name: /^CPU, % of one core/ })).toBeVisible();

    // This page's own hub socket is already counted.
    const hubCount = page.getByTestId('socket-count-events');
    await expect(hubCount).toHaveText(/^[1-9]\d*$/);
    const before = Number(await hubCount.textContent());

    const login = await request.post('/api/auth/login', { data: admin });
    const { token } = (await login.json()) as { token: string };
    const created = await request.post('/api/projects', { headers: { authorization: `Bearer ${token}` }, data: { name: 'Watched' } });
    const { id } = (await created.json()) as { id: string };

    // Same browser, another tab (signed in by the shared cookie): its FileManager opens a hub socket.
    const other = await context.newPage();
    await other.goto(`/projects/${id}`);
    await expect(other.getByRole('status', { name: 'Live file updates: Live' })).toBeVisible();
    await expect.poll(async () => Number(await hubCount.textContent()), { timeout: 10_000 }).toBeGreaterThan(before);
    const during = Number(await hubCount.textContent());

    await other.close();
    await expect.poll(async () => Number(await hubCount.textContent()), { timeout: 10_000 }).toBeLessThan(during);
  });

  test('is for admins only', async ({ page, users }) => {
    const user = await users.create();
    await page.goto('/status');
    await signIn(page, user);
    await expect(page).toHaveURL(/\/status$/);
    await expect(page.getByText('Only an admin can see this.')).toBeVisible();
    await expect(page.getByRole('banner').getByRole('link', { name: 'Status' })).toHaveCount(0);
    await expect(page.getByTestId('socket-count-events')).toHaveCount(0);
  });
});

import path from 'node:path';
import { expect, signIn, test } from './fixtures';
import { startPortico, type Portico } from './portico-server';

// The status page follows the server over a socket. When the server goes, the page must say so at once
// instead of showing its last figures as current, and go back to live by itself when the server returns.
// A private server, since this one is stopped and started again under the page.

test('the status page says at once when the server is unreachable, and goes live again when it is back', async ({ page }) => {
  test.setTimeout(120_000);
  let server: Portico = await startPortico();
  try {
    await page.goto(`${server.url}/status`);
    await signIn(page, server.admin);
    const figures = page.getByTestId('status-figures');
    await expect(page.getByRole('status', { name: 'Live system stats: Live' })).toBeVisible();
    await expect(page.getByRole('img', { name: /^CPU, % of one core/ })).toBeVisible();
    await expect(figures).toHaveAttribute('data-stale', 'false');
    await expect(page.getByTestId('server-unreachable')).toHaveCount(0);

    await server.stop({ keepData: true });
    const banner = page.getByRole('alert').filter({ hasText: "Can't reach the server" });
    await expect(banner).toBeVisible({ timeout: 5000 });
    await expect(banner).toHaveText(/^Can't reach the server — figures below are from \d{1,2}:\d{2}:\d{2}/);
    await expect(figures).toHaveAttribute('data-stale', 'true');
    // The old figures stay for reference, greyed and tied to the banner for screen readers.
    await expect(figures).toHaveAttribute('aria-describedby', /.+/);
    await expect(page.getByTestId('socket-count-events')).toHaveText(/^\d+$/);
    // For a person to look at (not compared): the banner at both widths, light and dark.
    for (const [width, height, colorScheme] of [[1440, 900, 'light'], [390, 844, 'dark']] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: path.join(test.info().project.outputDir, 'pages', `status-unreachable-${width}-${colorScheme}.png`), fullPage: true });
    }

    server = await server.restart();
    await expect(page.getByRole('status', { name: 'Live system stats: Live' })).toBeVisible({ timeout: 30_000 });
    await expect(banner).toHaveCount(0, { timeout: 10_000 });
    await expect(figures).toHaveAttribute('data-stale', 'false');
  } finally {
    await server.stop();
  }
});

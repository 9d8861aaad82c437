import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { createProjectAs, runBuild, signInToken } from './build-runs';
import { startPortico, type Portico } from './portico-server';
import { ENV, fromEnv } from './server-env';

// Every past build at its own address (issue 11, point 9): its log, result and files, its changes
// against the previous successful build, and Re-run, in Chromium against the production server.

const base = () => fromEnv(ENV.url);

async function twoBuilds(user: { username: string; password: string }) {
  const token = await signInToken(base(), user);
  const projectId = await createProjectAs(base(), token, 'Stopwatch');
  const first = await runBuild(base(), token, projectId, 'A stopwatch with laps');
  const second = await runBuild(base(), token, projectId, 'A stopwatch with splits');
  return { projectId, first: first.id, second: second.id };
}

async function openSignedIn(page: Page, user: { username: string; password: string }, path: string) {
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await signIn(page, user);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[/]/g, '\\/')}$`));
}

test.describe('a build’s own page', () => {
  test('a past build’s URL shows its prompt, stages, result, files, log and model output', async ({ page, users }) => {
    const user = await users.create();
    const { projectId, first } = await twoBuilds(user);
    await openSignedIn(page, user, `/projects/${projectId}/builds/${first}`);

    await expect(page.getByRole('heading', { level: 1, name: 'Build' })).toBeVisible();
    await expect(page.getByTestId('build-prompt')).toHaveText('A stopwatch with laps');
    for (const stage of ['plan', 'generate', 'write', 'verify']) await expect(page.locator(`[data-testid=build-stage][data-stage=${stage}]`)).toHaveAttribute('data-state', 'done');
    const result = page.getByTestId('build-result');
    await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');
    await expect(result.getByTestId('written-file')).toHaveCount(3);
    // The whole log is there, the model's text in the generate group: search finds a line of each.
    const search = page.getByLabel('Search the log');
    await search.fill('Provider: offline');
    await expect(page.getByTestId('log-search-count')).toHaveText(/^1 of [1-9]/);
    await expect(page.getByTestId('build-log')).toContainText('Provider: offline');
    await search.fill('--- file: index.html');
    await expect(page.getByTestId('log-search-count')).toHaveText(/^1 of [1-9]/);
    await expect(page.locator('[data-testid=build-log-group][data-stage=generate]')).toHaveAttribute('data-open', 'true');

    // Its files are its own: the first build's index.html, though a later build rewrote the workspace.
    await result.getByRole('button', { name: 'index.html' }).click();
    await expect(result.getByLabel('Contents of index.html')).toContainText('<title>A stopwatch with laps</title>');
  });

  test('history rows and the current build open their pages', async ({ page, users }) => {
    const user = await users.create();
    const { projectId, first, second } = await twoBuilds(user);
    await openSignedIn(page, user, `/projects/${projectId}`);
    const rows = page.getByRole('region', { name: 'Build history' }).getByTestId('build-history-item');
    await expect(rows).toHaveCount(2);
    await rows.filter({ hasText: 'A stopwatch with laps' }).getByRole('link', { name: 'A stopwatch with laps' }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/builds/${first}$`));
    await expect(page.getByTestId('build-prompt')).toHaveText('A stopwatch with laps');
    await page.getByRole('link', { name: 'Project', exact: true }).click();
    await page.getByTestId('current-build').getByRole('link', { name: 'Open this build' }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/builds/${second}$`));
  });

  test('Changes shows the changed line against the previous successful build, coloured', async ({ page, users }) => {
    const user = await users.create();
    const { projectId, second } = await twoBuilds(user);
    await openSignedIn(page, user, `/projects/${projectId}/builds/${second}`);
    await page.getByRole('tab', { name: 'Changes' }).click();
    await expect(page.getByText('Compared with the previous successful build')).toBeVisible();
    const index = page.locator('[data-testid=diff-file][data-path="index.html"]');
    await expect(index).toContainText('Changed');
    const diff = index.getByRole('region', { name: 'Diff of index.html' });
    await expect(diff.locator('[data-kind="-"]', { hasText: 'A stopwatch with laps' }).first()).toBeVisible();
    await expect(diff.locator('[data-kind="+"]', { hasText: 'A stopwatch with splits' }).first()).toBeVisible();
    // Added and removed lines are told apart by colour (and for screen readers by words).
    const colours = await diff.evaluate((el) => ['-', '+'].map((k) => getComputedStyle(el.querySelector(`[data-kind="${k}"]`)!).backgroundColor));
    expect(colours[0]).not.toBe(colours[1]);
    // Collapsible per file.
    await index.locator('summary').click();
    await expect(diff).toBeHidden();
  });

  test('Re-run starts a build with the same prompt and opens its page', async ({ page, users }) => {
    const user = await users.create();
    const { projectId, first } = await twoBuilds(user);
    await openSignedIn(page, user, `/projects/${projectId}/builds/${first}`);
    await page.getByRole('button', { name: 'Re-run' }).click();
    await expect(page).not.toHaveURL(new RegExp(`/builds/${first}$`));
    await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/builds/[^/]+$`));
    await expect(page.getByTestId('build-prompt')).toHaveText('A stopwatch with laps');
    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  });

  test('an unknown build, and another user’s, show one not-found sentence and nothing of the build', async ({ page, users }) => {
    const owner = await users.create();
    const { projectId, first } = await twoBuilds(owner);
    const unknown = `${first.slice(0, -1)}${first.endsWith('a') ? 'b' : 'a'}`;
    await openSignedIn(page, owner, `/projects/${projectId}/builds/${unknown}`);
    await expect(page.getByTestId('missing-resource').getByRole('heading', { level: 1 })).toHaveText('No such build.');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await openSignedIn(page, await users.create(), `/projects/${projectId}/builds/${first}`);
    // The project layout answers first: the page's one sentence, never the build's content.
    await expect(page.getByTestId('missing-resource').getByRole('heading', { level: 1 })).toHaveText('No such project, or it is not yours.');
    await expect(page.getByTestId('build-prompt')).toHaveCount(0);
    await expect(page.getByText('A stopwatch with laps')).toHaveCount(0);
  });
});

test.describe('a running build’s page', () => {
  let slow: Portico;
  test.beforeAll(async () => {
    // Streamed slowly enough that the page opens while the model is still writing.
    slow = await startPortico({ env: { OFFLINE_STREAM_DELAY_MS: '250' } });
  });
  test.afterAll(async () => {
    await slow?.stop();
  });

  test('follows the build live to its end', async ({ page }) => {
    const token = await signInToken(slow.url, slow.admin);
    const projectId = await createProjectAs(slow.url, token, 'Live');
    const running = runBuild(slow.url, token, projectId, 'A stopwatch with laps');
    // The build's id, as soon as the project's history has it.
    let buildId = '';
    await expect(async () => {
      const res = await fetch(`${slow.url}/api/projects/${projectId}/builds`, { headers: { authorization: `Bearer ${token}` } });
      buildId = ((await res.json()) as { id: string }[])[0]?.id ?? '';
      expect(buildId).not.toBe('');
    }).toPass();
    await page.goto(`${slow.url}/login?next=${encodeURIComponent(`/projects/${projectId}/builds/${buildId}`)}`);
    await signIn(page, slow.admin);
    await expect(page.getByText('Following live')).toBeVisible();
    await expect(page.locator('[data-testid=build-stage][data-stage=generate]')).toHaveAttribute('data-state', 'started');
    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(page.getByText('Following live')).toBeHidden();
    await expect(page.locator('[data-testid=build-stage][data-stage=verify]')).toHaveAttribute('data-state', 'done');
    await running;
  });
});

test.describe('the build page at both sizes, light and dark', () => {
  for (const [width, height] of [
    [1440, 900],
    [390, 844],
  ] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      test(`${width}×${height}, ${colorScheme}: nothing scrolls sideways on any tab`, async ({ browser, users }, testInfo) => {
        const user = await users.create();
        const { projectId, second } = await twoBuilds(user);
        const context = await browser.newContext({ viewport: { width, height }, colorScheme, baseURL: base() });
        const page = await context.newPage();
        try {
          await openSignedIn(page, user, `/projects/${projectId}/builds/${second}`);
          await expect(page.getByTestId('build-result')).toBeVisible();
          const shots: [string, () => Promise<void>][] = [
            ['log', async () => {}],
            ['changes', async () => {
              await page.getByRole('tab', { name: 'Changes' }).click();
              await expect(page.locator('[data-testid=diff-file]').first()).toBeVisible();
            }],
            ['preview', async () => {
              await page.getByRole('tab', { name: 'Preview' }).click();
              await expect(page.frameLocator('iframe[title="Preview of the built app"]').getByRole('heading', { level: 1 })).toBeVisible();
            }],
          ];
          for (const [name, open] of shots) {
            await open();
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            expect(overflow, `${name}: the page scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
            await page.screenshot({ path: testInfo.outputPath(`build-${name}-${width}-${colorScheme}.png`), fullPage: true });
          }
          // The project page with its history rows (links and Re-run) too.
          await page.goto(`/projects/${projectId}`);
          await expect(page.getByRole('region', { name: 'Build history' }).getByTestId('build-history-item')).toHaveCount(2);
          expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
          await page.getByRole('region', { name: 'Build history' }).screenshot({ path: testInfo.outputPath(`history-${width}-${colorScheme}.png`) });
          await page.getByTestId('current-build').screenshot({ path: testInfo.outputPath(`current-build-${width}-${colorScheme}.png`) });
        } finally {
          await context.close();
        }
      });
    }
  }
});

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { ENV, fromEnv } from './server-env';

// Cancel keeps the previous good result (issue 11, break 3): a build writes into its own folder and the
// project's files change only when verify passes. OFFLINE_STREAM_DELAY_MS is 40 here, so the second
// build is still generating when Cancel is pressed.

const stageOf = (page: Page, stage: string) => page.locator(`[data-testid=build-stage][data-stage=${stage}]`);

test('a cancelled build leaves the first build’s files as they were, and its stage says Cancelled', async ({ page, users }) => {
  const user = await users.create();
  await page.goto('/');
  await signIn(page, user);
  const newProject = page.getByRole('form', { name: 'New project' });
  await newProject.getByLabel('Project name').fill('Staging');
  await newProject.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('region', { name: 'Projects' }).getByRole('link', { name: /Staging/ }).click();
  await expect(page).toHaveURL(/\/projects\/[^/]+$/);
  const projectId = page.url().split('/').at(-1)!;

  const build = page.getByRole('button', { name: 'Build', exact: true });
  const status = page.getByTestId('build-result').getByTestId('build-status');
  await page.getByLabel('Prompt').fill('A stopwatch with laps');
  await build.click();
  await expect(status).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });

  const files = page.getByRole('region', { name: 'Files' });
  const fileButton = (name: string) => files.getByRole('list', { name: 'Files' }).getByRole('button', { name, exact: true });
  await fileButton('index.html').click();
  await expect(files.getByTestId('file-content')).toContainText('<title>A stopwatch with laps</title>');
  const workspace = path.join(fromEnv(ENV.dataDir), 'workspaces', projectId);
  const before = Object.fromEntries(['index.html', 'styles.css', 'app.js'].map((f) => [f, fs.readFileSync(path.join(workspace, f), 'utf8')]));

  // The second build would replace all three files with a dashboard; cancel it while the model writes.
  await page.getByLabel('Prompt').fill('A weather dashboard with charts');
  await build.click();
  await expect(stageOf(page, 'generate')).toHaveAttribute('data-state', 'started');
  await expect(page.getByTestId('file-progress').first()).toContainText('index.html');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(status).toHaveAttribute('data-status', 'cancelled');
  const stopped = stageOf(page, 'generate');
  await expect(stopped).toHaveAttribute('data-state', 'cancelled');
  await expect(stopped).toContainText('Cancelled');
  await expect(stopped).not.toContainText('Failed');
  await expect(page.locator('[data-testid=build-stage][data-state=failed]')).toHaveCount(0);

  // The FileManager still shows the first build's files, with their contents.
  for (const name of ['index.html', 'styles.css', 'app.js']) await expect(fileButton(name)).toBeVisible();
  await fileButton('app.js').click();
  await fileButton('index.html').click();
  await expect(files.getByTestId('file-content')).toContainText('<title>A stopwatch with laps</title>');
  await expect(files.getByTestId('file-content')).not.toContainText('weather');
  for (const [name, content] of Object.entries(before)) expect(fs.readFileSync(path.join(workspace, name), 'utf8')).toBe(content);
});

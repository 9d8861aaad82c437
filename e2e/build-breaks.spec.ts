import type { Page } from '@playwright/test';
import { startLlmServer } from '../tests/helpers/llm-server';
import { createProjectAs, signInToken } from './build-runs';
import { expect, signIn, test, type Credentials } from './fixtures';
import { startPortico, type Portico } from './portico-server';

// Breaks 4, 5 and 6 of issue 11 as a user meets them in Chromium: one syntax error is one problem, the
// offline templates follow the prompt and say when they cannot, and a model that says nothing is warned
// about and then stopped with a sentence. The model cases run against a server of their own, pointed at a
// real streaming model server (tests/helpers/llm-server.ts).

const ONE_SYNTAX_ERROR = [
  '--- file: index.html',
  '<!DOCTYPE html>',
  '<html lang="en"><head><meta charset="utf-8"><title>Tally</title></head>',
  '<body><h1>Tally</h1><script src="app.js"></script></body></html>',
  '--- end',
  '--- file: app.js',
  'let count = 0;',
  'function add( {',
  '  count += 1;',
  '}',
  '--- end',
  '',
].join('\n');

test.describe('what a build says about itself', () => {
  test('offline: the form names what the templates can build; a weather dashboard gets a chart; an unbuildable prompt is told so', async ({ page, users, baseURL }) => {
    test.setTimeout(120_000);
    const user = await users.create();
    const token = await signInToken(baseURL!, user);
    const projectId = await createProjectAs(baseURL!, token, 'Weather');
    await openProject(page, baseURL!, projectId, user);

    await expect(page.getByTestId('provider-sentence')).toContainText('dashboard');
    await build(page, 'A weather dashboard with charts');
    const result = page.getByTestId('build-result');
    await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await result.getByRole('button', { name: 'index.html' }).click();
    const html = result.getByLabel('Contents of index.html');
    await expect(html).toContainText('<title>A weather dashboard with charts</title>');
    await expect(html).toContainText('<svg');

    await build(page, 'A multiplayer chess engine');
    await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(result).toContainText('The offline templates cannot build "a multiplayer chess engine"; this is the closest: a notes page.');
  });

  test.describe('with a model', () => {
    let server: Portico | undefined;
    let llm: Awaited<ReturnType<typeof startLlmServer>> | undefined;
    test.afterEach(async () => {
      await server?.stop();
      await llm?.close();
      server = llm = undefined;
    });

    test('one syntax error is one problem, and the project keeps its files', async ({ page }) => {
      test.setTimeout(120_000);
      llm = await startLlmServer({ reply: ONE_SYNTAX_ERROR });
      server = await startPortico({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl } });
      const projectId = await createProjectAs(server.url, await signInToken(server.url, server.admin), 'Tally');
      await openProject(page, server.url, projectId, server.admin);

      await build(page, 'A tally counter');
      const result = page.getByTestId('build-result');
      await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
      await expect(result).toContainText('Verify found 1 problem');
      await expect(page.locator('[data-testid=build-stage][data-stage=verify]')).toHaveAttribute('data-state', 'failed');
      await expect(page.getByRole('region', { name: 'Files' }).getByTestId('file-row')).toHaveCount(0);
    });

    test('a model that accepts and sends nothing: the wait is timed, warned about, then the build stops with a sentence', async ({ page }) => {
      test.setTimeout(120_000);
      llm = await startLlmServer({ reply: '', silent: true });
      server = await startPortico({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_FIRST_TOKEN_TIMEOUT_MS: '2000', LLM_IDLE_TIMEOUT_MS: '6000' } });
      const projectId = await createProjectAs(server.url, await signInToken(server.url, server.admin), 'Quiet');
      await openProject(page, server.url, projectId, server.admin);

      await build(page, 'A tally counter');
      await expect(page.getByText(/Waiting for the model… \d+ s/)).toBeVisible({ timeout: 10_000 });
      await expect(page.getByTestId('build-log')).toContainText('The model has sent nothing for 2 s; still waiting', { timeout: 10_000 });
      const result = page.getByTestId('build-result');
      await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'failed', { timeout: 20_000 });
      await expect(result).toContainText('The model sent nothing for 6 s; the build stopped.');
      await expect(page.getByRole('button', { name: 'Build', exact: true })).toBeEnabled();
    });
  });
});

async function openProject(page: Page, base: string, projectId: string, who: Credentials) {
  await page.goto(`${base}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
  await signIn(page, who);
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}$`));
}

/** Starts a build and waits until the panel shows it (not the one before it). */
async function build(page: Page, prompt: string) {
  const current = page.getByTestId('current-build');
  const before = (await current.count()) ? await current.getAttribute('data-build') : null;
  await page.getByLabel('Prompt').fill(prompt);
  const button = page.getByRole('button', { name: 'Build', exact: true });
  await expect(button).toBeEnabled();
  await button.click();
  await expect(current).toHaveAttribute('data-build', before ? new RegExp(`^(?!${before}$).+`) : /.+/);
}

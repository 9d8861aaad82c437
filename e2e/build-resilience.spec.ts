import net from 'node:net';
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, signIn, test, type Credentials } from './fixtures';
import { blockBuildSockets } from './blocked-sockets';
import { startPortico, type Portico } from './portico-server';

// The PromptPanel is never read-only while the server answers (issue 11, points 1 and 2): a restart with
// the page open, a network where the build socket cannot open, and a build that fails before anything
// else happens. Each in Chromium against a production server; the restart and the dead model server
// need a server of their own.

const STAGES = ['plan', 'generate', 'write', 'verify'] as const;

test.describe('the build panel stays usable', () => {
  test('a restart with the page open: within 10 s Build works again with the typed prompt, and the build streams to the end', async ({ page, request }) => {
    test.setTimeout(120_000);
    let server: Portico = await startPortico();
    try {
      const projectId = await createProject(request, server.url, server.admin, 'Restarted');
      await openProject(page, server.url, projectId, server.admin);
      await expect(buildBadge(page)).toHaveAttribute('data-state', 'live');
      // Before the first build the form says what will build it (point 5).
      await expect(page.getByTestId('provider-sentence')).toContainText(/offline|built-in templates/);

      const prompt = page.getByLabel('Prompt');
      await prompt.fill('A sourdough timer with feeding reminders');
      const build = page.getByRole('button', { name: 'Build', exact: true });
      server = await server.restart({
        // While nothing answers (stopped, not just draining), the panel says so and keeps the prompt;
        // Build waits for the server.
        whileDown: async () => {
          await expect(page.getByTestId('unreachable-notice')).toContainText('Cannot reach the server. Your prompt is kept');
          await expect(build).toBeDisabled();
        },
      });

      await expect(build).toBeEnabled({ timeout: 10_000 });
      await expect(prompt).toHaveValue('A sourdough timer with feeding reminders');
      await build.click();
      for (const stage of STAGES) await expect(stageOf(page, stage)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
      await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');
      await expect(buildBadge(page)).toHaveAttribute('aria-label', 'Build stream: Live');

      // A reload keeps the prompt too (sessionStorage, per project).
      await page.reload();
      await expect(page.getByLabel('Prompt')).toHaveValue('A sourdough timer with feeding reminders');
    } finally {
      await server.stop();
    }
  });

  test('with the build socket blocked: SSE and HTTP start and cancel work, and the badge returns to the socket once it opens', async ({ page, users, request, baseURL }) => {
    test.setTimeout(90_000);
    const user = await users.create();
    const projectId = await createProject(request, baseURL!, user, 'Behind a proxy');
    await blockBuildSockets(page);
    const commands: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes(`/api/projects/${projectId}/builds`)) commands.push(new URL(r.url()).pathname);
    });

    await openProject(page, baseURL!, projectId, user);
    await expect(page.getByTestId('fallback-notice')).toContainText('Live connection unavailable; showing progress over a fallback stream.');
    await expect(buildBadge(page)).toHaveAttribute('aria-label', 'Build stream (fallback): Live');

    // Start over HTTP; the build streams over SSE to the end.
    await page.getByLabel('Prompt').fill('A unit converter');
    const build = page.getByRole('button', { name: 'Build', exact: true });
    await expect(build).toBeEnabled();
    await build.click();
    for (const stage of STAGES) await expect(stageOf(page, stage)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');

    // A second one, cancelled over HTTP mid-generate.
    await page.getByLabel('Prompt').fill('A habit tracker');
    await build.click();
    await expect(stageOf(page, 'generate')).toHaveAttribute('data-state', 'started');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'cancelled');
    await expect(build).toBeEnabled();
    expect(commands.filter((p) => p.endsWith('/builds'))).toHaveLength(2);
    expect(commands.filter((p) => p.endsWith('/cancel'))).toHaveLength(1);

    // The network lets WebSocket through again: the next retry opens it and the socket takes over.
    await page.evaluate(() => ((window as unknown as { blockBuildSockets: boolean }).blockBuildSockets = false));
    await expect(buildBadge(page)).toHaveAttribute('aria-label', 'Build stream: Live', { timeout: 30_000 });
    await expect(page.getByTestId('fallback-notice')).toBeHidden();
  });

  test('a build that fails at once (model server on a dead port) shows its failure and Build is usable again', async ({ page, request }) => {
    const port = await closedPort();
    const server = await startPortico({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: `http://127.0.0.1:${port}/v1` } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      const projectId = await createProject(request, server.url, server.admin, 'Dead model');
      await openProject(page, server.url, projectId, server.admin);
      await expect(buildBadge(page)).toHaveAttribute('data-state', 'live');

      await page.getByLabel('Prompt').fill('A weather dashboard with charts');
      await page.getByRole('button', { name: 'Build', exact: true }).click();
      const result = page.getByTestId('build-result');
      await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'failed');
      await expect(result).toContainText(`The model server at http://127.0.0.1:${port}/v1 is unreachable`);
      await expect(page.getByRole('region', { name: 'Build history' }).getByTestId('build-history-item')).toHaveCount(1);
      await expect(page.getByText("This page couldn't load")).toBeHidden();
      await expect(page.getByLabel('Prompt')).toHaveValue('A weather dashboard with charts');
      await expect(page.getByRole('button', { name: 'Build', exact: true })).toBeEnabled();
      expect(errors).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function createProject(request: APIRequestContext, base: string, who: Credentials, name: string): Promise<string> {
  const login = await request.post(`${base}/api/auth/login`, { data: who });
  expect(login.status(), await login.text()).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const res = await request.post(`${base}/api/projects`, { headers: { authorization: `Bearer ${token}` }, data: { name } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function openProject(page: Page, base: string, projectId: string, who: Credentials) {
  await page.goto(`${base}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
  await signIn(page, who);
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}$`));
}

function buildBadge(page: Page) {
  return page.getByRole('region', { name: 'Build', exact: true }).getByTestId('connection-badge');
}

function stageOf(page: Page, stage: (typeof STAGES)[number]) {
  return page.locator(`[data-testid=build-stage][data-stage=${stage}]`);
}

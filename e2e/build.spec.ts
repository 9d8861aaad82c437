import type { APIRequestContext, Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { logLinesOf } from '@/lib/protocol/log-lines';
import type { BuildEvent, ServerMessage } from '@/lib/protocol/build';
import { expect, signIn, test, type CreatedUser } from './fixtures';
import { blockBuildSockets } from './blocked-sockets';
import { ENV, fromEnv } from './server-env';

// The Build journey in Chromium against the production server (LLM_PROVIDER=offline, streamed slowly
// enough to cut the socket mid-build). Runs directly and again through nginx with deploy/nginx.conf.

const STAGES = ['plan', 'generate', 'write', 'verify'] as const;
const FILES = ['index.html', 'styles.css', 'app.js'];
const EXPIRED_SENTENCE = 'Your sign-in has expired. Sign in again.';

test.describe('building a project', () => {
  test('sign in, create a project, build it: four stages done, 100 %, the files, and the history', async ({ page, users }) => {
    await page.goto('/');
    await signIn(page, await users.create());

    const newProject = page.getByRole('form', { name: 'New project' });
    await newProject.getByLabel('Project name').fill('Stopwatch');
    await newProject.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('region', { name: 'Projects' }).getByRole('link', { name: /Stopwatch/ }).click();

    await expect(page).toHaveURL(/\/projects\/[^/]+$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Stopwatch' })).toBeVisible();
    await expect(buildBadge(page)).toHaveAttribute('data-state', 'live');
    const build = page.getByRole('button', { name: 'Build', exact: true });
    await expect(build).toBeDisabled();

    await page.getByLabel('Prompt').fill('A stopwatch with laps');
    await expect(build).toBeEnabled();
    await build.click();
    await expect(build).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();

    for (const stage of STAGES) await expect(stageOf(page, stage)).toHaveAttribute('data-state', 'done');
    await expect(page.getByRole('progressbar', { name: 'Build progress' })).toHaveAttribute('aria-valuenow', '100');
    const result = page.getByTestId('build-result');
    await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');
    await expect(result.getByTestId('build-provider')).toHaveText('offline');
    await expect(result.getByTestId('written-file')).toHaveCount(3);
    for (const file of FILES) await expect(result.locator(`[data-testid=written-file][data-path="${file}"]`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeHidden();
    await expect(build).toBeEnabled();

    // The result links to what was written: index.html opens in place with the prompt as its title.
    await result.getByRole('button', { name: 'index.html' }).click();
    await expect(result.getByLabel('Contents of index.html')).toContainText('<title>A stopwatch with laps</title>');

    const history = page.getByRole('region', { name: 'Build history' });
    await expect(history.getByTestId('build-history-item')).toHaveCount(1);
    await expect(history.getByTestId('build-history-item').first().getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');
    await expect(history.getByTestId('build-history-item').first()).toContainText('Provider offline');
    await expect(history.getByTestId('build-history-item').first()).toContainText('A stopwatch with laps');
  });

  test('a socket cut mid-build reconnects, resumes after the last seq, and shows every event exactly once', async ({ page, users, admin, request }) => {
    const user = await users.create();
    const projectId = await createProject(request, user, 'Cut mid-build');
    const sockets: string[] = [];
    page.on('websocket', (ws) => {
      if (ws.url().includes('/api/build/')) sockets.push(ws.url());
    });
    await page.goto(`/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await signIn(page, user);
    const badge = buildBadge(page);
    await expect(badge).toHaveAttribute('data-state', 'live');

    await page.getByLabel('Prompt').fill('A tip calculator');
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    // Mid-build: the model is streaming.
    await expect(stageOf(page, 'generate')).toHaveAttribute('data-state', 'started');
    await expect(page.getByTestId('build-log').locator('li[data-source=output]').first()).toBeAttached();

    const adminToken = await tokenFor(request, admin);
    const cut = await request.post('/api/admin/sockets/close', { headers: { authorization: `Bearer ${adminToken}` }, data: { userId: user.id, route: 'build' } });
    expect(cut.status(), await cut.text()).toBe(200);
    expect(((await cut.json()) as { closed: number }).closed).toBe(1);

    await expect(badge).toHaveAttribute('data-state', 'reconnecting');
    await expect(badge).toHaveAttribute('data-state', 'live');
    for (const stage of STAGES) await expect(stageOf(page, stage)).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');

    // The reconnect asked for this build after the last seq it had, not the whole build again.
    expect(sockets).toHaveLength(2);
    const resumed = new URL(sockets[1]).searchParams;
    const buildId = await page.getByTestId('current-build').getAttribute('data-build');
    expect(resumed.get('build')).toBe(buildId);
    expect(Number(resumed.get('after'))).toBeGreaterThan(0);

    await expectWholeBuildOnScreen(page, projectId, buildId!);
  });

  test('a sign-in that ends while the page is open shows the sentence, offers sign-in, and does not retry', async ({ page, users, request }) => {
    const user = await users.create();
    const projectId = await createProject(request, user, 'Expired');
    // Count the build sockets the page opens, however the clock runs.
    await page.addInitScript(() => {
      const Real = window.WebSocket;
      const w = window as unknown as { buildSockets: number };
      w.buildSockets = 0;
      window.WebSocket = new Proxy(Real, {
        construct(target, args: [string | URL, (string | string[])?]) {
          if (String(args[0]).includes('/api/build/')) w.buildSockets++;
          return new target(...args);
        },
      });
    });
    await page.clock.install();
    await page.goto('/');
    await signIn(page, user);
    await expect(page.getByTestId('signed-in-user')).toHaveText(user.username);

    await page.goto(`/projects/${projectId}`);
    await expect(buildBadge(page)).toHaveAttribute('data-state', 'live');

    // The sign-in ends server side while the page is open (an admin signs the user out everywhere): the
    // open build socket is closed with 4401 and the page says so, with no token in the tab to retry with.
    const adminToken = await tokenFor(request, { username: fromEnv(ENV.adminUsername), password: fromEnv(ENV.adminPassword) });
    const out = await request.post(`/api/users/${user.id}/sign-out`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(out.status(), await out.text()).toBe(200);

    const problem = page.getByTestId('stream-problem');
    await expect(problem).toContainText(EXPIRED_SENTENCE);
    await expect(problem.getByRole('link', { name: 'Go to sign-in' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await expect(buildBadge(page)).toHaveAttribute('data-state', 'offline');
    await expect(page.getByRole('button', { name: 'Build', exact: true })).toBeDisabled();

    // Well past any backoff: still the one socket, still offline.
    await page.clock.runFor(120_000);
    expect(await page.evaluate(() => (window as unknown as { buildSockets: number }).buildSockets)).toBe(1);
    await expect(buildBadge(page)).toHaveAttribute('data-state', 'offline');
    await expect(problem).toContainText(EXPIRED_SENTENCE);
  });

  test('with WebSocket blocked, the SSE fallback delivers the whole build', async ({ page, users, request, baseURL }) => {
    const user = await users.create();
    const token = await tokenFor(request, user);
    const projectId = await createProject(request, user, 'Fallback');

    // Sockets to /api/build/ fail before they open, as behind a proxy that does not pass WebSocket.
    await blockBuildSockets(page);

    // Started from here, as another tab on a good network would (this page could start it over HTTP too:
    // build-resilience.spec.ts).
    const buildId = await startBuild(`${baseURL!.replace(/^http/, 'ws')}/api/build/${projectId}?token=${token}`, 'A unit converter');

    await page.goto(`/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await signIn(page, user);
    await expect(page.getByTestId('fallback-notice')).toContainText('Live connection unavailable; showing progress over a fallback stream.');
    await expect(page.getByTestId('current-build')).toHaveAttribute('data-build', buildId);
    await page.getByLabel('Prompt').fill('Another one');

    for (const stage of STAGES) await expect(stageOf(page, stage)).toHaveAttribute('data-state', 'done');
    await expect(page.getByRole('progressbar', { name: 'Build progress' })).toHaveAttribute('aria-valuenow', '100');
    const result = page.getByTestId('build-result');
    await expect(result.getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');
    await expect(result.getByTestId('written-file')).toHaveCount(3);
    for (const file of FILES) await expect(result.locator(`[data-testid=written-file][data-path="${file}"]`)).toBeVisible();
    await expectWholeBuildOnScreen(page, projectId, buildId);
    // Not read-only on the fallback stream: the next build can start (over HTTP).
    await expect(page.getByRole('button', { name: 'Build', exact: true })).toBeEnabled();
  });
});

/** The PromptPanel's badge (the FileManager beside it has one of its own). */
function buildBadge(page: Page) {
  return page.getByRole('region', { name: 'Build', exact: true }).getByTestId('connection-badge');
}

function stageOf(page: Page, stage: (typeof STAGES)[number]) {
  return page.locator(`[data-testid=build-stage][data-stage=${stage}]`);
}

async function tokenFor(request: APIRequestContext, who: { username: string; password: string }): Promise<string> {
  const res = await request.post('/api/auth/login', { data: { username: who.username, password: who.password } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function createProject(request: APIRequestContext, user: CreatedUser, name: string): Promise<string> {
  const res = await request.post('/api/projects', { headers: { authorization: `Bearer ${await tokenFor(request, user)}` }, data: { name } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Opens a build socket, starts a build, and returns its id once the server announces it. */
async function startBuild(url: string, prompt: string): Promise<string> {
  const ws = new WebSocket(url);
  try {
    return await new Promise<string>((resolve, reject) => {
      let hellos = 0;
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`the build socket closed with ${code}`)));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'error') reject(new Error(m.message));
        if (m.type !== 'hello') return;
        // The first hello is the project's state; the one after `start` names the new build.
        if (++hellos === 1) ws.send(JSON.stringify({ type: 'start', prompt }));
        else if (m.build) resolve(m.build.id);
      });
    });
  } finally {
    ws.removeAllListeners('close');
    ws.close();
  }
}

/** The build's events as the server stored them, read back over its SSE stream (it ends at `done`). */
async function storedEvents(request: APIRequestContext, projectId: string, buildId: string): Promise<BuildEvent[]> {
  const res = await request.get(`/api/build/${projectId}/events?build=${buildId}`);
  expect(res.status()).toBe(200);
  const text = await res.text();
  return [...text.matchAll(/^event: build\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]) as BuildEvent);
}

/** Every log line and every line of model text the server stored, each in the log exactly once, in order. */
async function expectWholeBuildOnScreen(page: Page, projectId: string, buildId: string) {
  const events = await storedEvents(page.request, projectId, buildId);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)?.type).toBe('done');
  expect(events.some((e) => e.type === 'output')).toBe(true);

  // The page cuts lines with the same module as the raw log; the log is virtualised, so open every
  // group and read it by scrolling through.
  const expected = logLinesOf(events).map((l) => ({ n: l.n, seq: l.seq, text: `${l.level === 'info' ? '' : `${l.level} `}${l.text}` }));
  const list = page.getByTestId('build-log');
  await expect(list).toHaveAttribute('data-lines', String(expected.length));
  const seen = await page.getByRole('region', { name: 'Build log' }).evaluate(async (el) => {
    const rows = new Map<number, { n: number; seq: number; text: string }>();
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let top = 0; ; top += el.clientHeight / 2) {
      el.scrollTop = top;
      await frame();
      // Open each group as it comes into view (only the rows in view are in the DOM).
      for (const toggle of el.querySelectorAll<HTMLButtonElement>('button[aria-expanded=false]')) {
        toggle.click();
        await frame();
      }
      for (const li of el.querySelectorAll<HTMLElement>('li[data-n]')) {
        const n = Number(li.dataset.n);
        rows.set(n, { n, seq: Number(li.dataset.seq), text: li.lastElementChild?.textContent ?? '' });
      }
      if (top >= el.scrollHeight) break;
    }
    return [...rows.values()].sort((a, b) => a.n - b.n);
  });
  expect(seen).toEqual(expected);
  expect(seen.filter((row) => row.text.startsWith('Prompt: '))).toHaveLength(1);
}

import fs from 'node:fs';
import path from 'node:path';
import { request as playwrightRequest, type Locator, type Page } from '@playwright/test';
import { GOOD_REPLY, startLlmServer } from '../tests/helpers/llm-server';
import { expect, signIn, test } from './fixtures';
import { startPortico, type Portico } from './portico-server';

// The build log of a 20,000-line build in Chromium: a private server whose model (a real OpenAI-style
// streaming server on 127.0.0.1) writes 20,000 lines before its files. The page must stay smooth while it
// streams and after: follow the end, pause on scroll-up, jump back to live, search the whole log, open a
// line from its link, and download exactly the lines it shows — with only the rows in view in the DOM.

const LINES = 20_000;
const NEEDLE = 'zebracorn';
const NEEDLE_LINES = [10_000, 15_000];
const SHOTS = path.join(__dirname, '..', 'test-results', 'build-log');

const reply = () =>
  `${Array.from({ length: LINES }, (_, i) => `row ${i + 1}: ${NEEDLE_LINES.includes(i + 1) ? `the ${NEEDLE} is here` : 'step \x1b[32mok\x1b[0m'}`).join('\n')}\n${GOOD_REPLY}`;

test.describe('the build log of a 20,000-line build', () => {
  test.describe.configure({ timeout: 180_000 });
  let llm: Awaited<ReturnType<typeof startLlmServer>>;
  let server: Portico;

  test.beforeAll(async () => {
    // About 18 s of streaming: long enough to scroll and jump mid-build.
    llm = await startLlmServer({ reply: reply(), chunkChars: 480, chunkDelayMs: 15 });
    server = await startPortico({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_MAX_OUTPUT_BYTES: String(4 * 1024 * 1024) } });
  });
  test.afterAll(async () => {
    await server?.stop();
    await llm?.close();
  });

  test('follows, pauses, jumps to live, searches, links to a line and downloads every line', async ({ page }) => {
    const user = await createUser(server);
    const projectId = await createProject(server, user, 'Long plan');
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await signIn(page, user);
    await page.getByLabel('Prompt').fill('A plan of twenty thousand steps');
    await page.getByRole('button', { name: 'Build', exact: true }).click();

    const scroller = page.getByRole('region', { name: 'Build log' });
    const list = page.getByTestId('build-log');
    await expect(page.locator('[data-testid=build-stage][data-stage=generate]')).toHaveAttribute('data-state', 'started');
    await expect.poll(() => lineCount(list), { timeout: 30_000 }).toBeGreaterThan(3000);

    // The run's header while the model streams: a ticking timer, the model, its speed and first token.
    const elapsed = page.getByTestId('build-elapsed');
    const shown = await elapsed.textContent();
    await expect(elapsed).not.toHaveText(shown!, { timeout: 5_000 });
    await expect(page.getByTestId('build-model')).toContainText('openai · ');
    await expect(page.getByTestId('build-tokens-per-second')).toHaveText(/^\d+(\.\d)? tokens\/s$/);
    await expect(page.getByTestId('build-first-token')).toHaveText(/\d/);

    // While it runs the log follows the end…
    await expect.poll(() => distanceFromEnd(scroller)).toBeLessThan(30);
    // …until the reader scrolls up; then it stays put and offers the way back.
    await scroller.hover();
    await page.mouse.wheel(0, -3000);
    const jump = page.getByRole('button', { name: 'Jump to live' });
    await expect(jump).toBeVisible();
    await page.getByRole('region', { name: 'Build log' }).screenshot({ path: path.join(SHOTS, 'paused-1440-light.png') });
    const heldAt = await scroller.evaluate((el) => el.scrollTop);
    await expect.poll(() => lineCount(list)).toBeGreaterThan((await lineCount(list)) + 200);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBe(heldAt);
    await jump.click();
    await expect(jump).toBeHidden();
    await expect.poll(() => distanceFromEnd(scroller)).toBeLessThan(30);
    await page.getByTestId('current-build').screenshot({ path: path.join(SHOTS, 'running-1440-light.png') });

    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
    const total = await lineCount(list);
    expect(total).toBeGreaterThan(LINES);
    // Only the rows in view (and a margin) are in the DOM.
    expect(await list.locator('li').count()).toBeLessThan(200);

    // Smooth: scrolling through it end to end leaves no long task on the main thread.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    await scroller.evaluate(async (el) => {
      for (let i = 0; i <= 40; i++) {
        el.scrollTop = (el.scrollHeight * i) / 40;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
      el.scrollTop = 0;
    });
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    expect(Math.max(0, ...longTasks), `long tasks: ${longTasks.join(', ')}`).toBeLessThan(200);
    await expect(page.locator('[data-testid=build-log-group][data-stage=plan]')).toBeInViewport();

    // Search reaches lines in a collapsed group: the generate group closed once write started.
    await expect(page.locator('[data-testid=build-log-group][data-stage=generate]')).toHaveAttribute('data-open', 'false');
    const search = page.getByLabel('Search the log');
    const started = Date.now();
    await search.fill(NEEDLE);
    const count = page.getByTestId('log-search-count');
    await expect(count).toHaveText('1 of 2');
    const hit = list.locator('li', { has: page.locator('mark[data-current-match]') });
    await expect(hit).toBeInViewport();
    await expect(hit).toContainText(`row ${NEEDLE_LINES[0]}: the ${NEEDLE} is here`);
    expect(Date.now() - started).toBeLessThan(3000);
    await page.screenshot({ path: path.join(SHOTS, 'search-1440-light.png') });
    await page.getByRole('button', { name: 'Next match' }).click();
    await expect(count).toHaveText('2 of 2');
    await expect(hit).toContainText(`row ${NEEDLE_LINES[1]}:`);
    await expect(hit).toBeInViewport();
    await search.press('Shift+Enter');
    await expect(count).toHaveText('1 of 2');
    await expect(hit).toContainText(`row ${NEEDLE_LINES[0]}:`);
    const n = Number(await hit.getAttribute('data-n'));

    // The raw log: every line the page holds, with its time and stage.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the raw log' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Long-plan-.+\.log$/);
    const raw = fs.readFileSync((await download.path())!, 'utf8').split('\n');
    expect(raw.pop()).toBe('');
    expect(raw).toHaveLength(total);
    expect(raw[n - 1]).toMatch(new RegExp(`^\\S+Z\\tgenerate\\tmodel\\trow ${NEEDLE_LINES[0]}: the ${NEEDLE} is here$`));

    // A link to the line opens the page there, the line lit.
    await page.getByRole('link', { name: `Line ${n}`, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`#L${n}$`));
    const linked = await page.context().newPage();
    await linked.goto(`${server.url}/projects/${projectId}#L${n}`);
    const target = linked.getByTestId('build-log').locator(`li[data-n="${n}"]`);
    // The page replays the whole build first (about 2,000 events).
    await expect(target).toBeInViewport({ timeout: 20_000 });
    await expect(target).toHaveAttribute('aria-current', 'location');
    await linked.close();

    await screenshots(page);
  });

  test('before the first token the generate group counts the wait; the run header counts the build', async ({ page }) => {
    Object.assign(llm.behaviour, { reply: GOOD_REPLY, firstChunkDelayMs: 3500, chunkDelayMs: 0 });
    const user = await createUser(server);
    const projectId = await createProject(server, user, 'Slow model');
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await signIn(page, user);
    await page.getByLabel('Prompt').fill('A page from a slow model');
    await page.getByRole('button', { name: 'Build', exact: true }).click();

    const generate = page.locator('[data-testid=build-log-group][data-stage=generate]');
    const waiting = generate.getByRole('status');
    await expect(waiting).toHaveText(/^Waiting for the model… [01] s$/);
    const elapsed = page.getByTestId('build-elapsed');
    const first = await elapsed.textContent();
    await expect(waiting).toHaveText(/^Waiting for the model… [23] s$/);
    await expect(elapsed).not.toHaveText(first!);
    await page.getByTestId('current-build').screenshot({ path: path.join(SHOTS, 'waiting-1440-light.png') });
    // The first text ends the wait.
    await expect(waiting).toBeHidden({ timeout: 10_000 });
    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 });
  });

  test('a build that fails in generate opens that group by itself, with the error line in it', async ({ page }) => {
    Object.assign(llm.behaviour, { reply: reply(), firstChunkDelayMs: 0 });
    // The same model, now dying after a few pieces.
    llm.behaviour.dieAfterChunks = 3;
    const user = await createUser(server);
    const projectId = await createProject(server, user, 'Broken model');
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await signIn(page, user);
    await page.getByLabel('Prompt').fill('A plan the model never finishes');
    await page.getByRole('button', { name: 'Build', exact: true }).click();

    await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
    // The log opens at its end, where the error is…
    const log = page.getByRole('region', { name: 'Build log' });
    await log.scrollIntoViewIfNeeded();
    const errors = page.getByTestId('build-log').locator('li', { hasText: /^\d+\S+\s*error / });
    await expect(errors.last()).toBeInViewport();
    // …in the generate group, which opened by itself; plan, done before it, is folded.
    await log.evaluate((el) => (el.scrollTop = 0));
    const generate = page.locator('[data-testid=build-log-group][data-stage=generate]');
    await expect(generate).toHaveAttribute('data-state', 'failed');
    await expect(generate).toHaveAttribute('data-open', 'true');
    await expect(page.locator('[data-testid=build-log-group][data-stage=plan]')).toHaveAttribute('data-open', 'false');
    await log.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await atEverySize(page, async (width, scheme) => {
      await page.getByTestId('current-build').screenshot({ path: path.join(SHOTS, `failed-${width}-${scheme}.png`) });
    });
  });
});

async function lineCount(list: Locator): Promise<number> {
  return Number(await list.getAttribute('data-lines'));
}

function distanceFromEnd(scroller: Locator): Promise<number> {
  return scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
}

/** The finished page at both widths, light and dark; no horizontal overflow at 390 px. */
async function screenshots(page: Page) {
  await page.getByLabel('Search the log').fill('');
  await page.getByRole('region', { name: 'Build log' }).evaluate((el) => (el.scrollTop = 0));
  await atEverySize(page, async (width, scheme) => {
    await page.getByTestId('current-build').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `done-${width}-${scheme}.png`), fullPage: width === 390 });
    await page.getByTestId('current-build').screenshot({ path: path.join(SHOTS, `current-build-${width}-${scheme}.png`) });
  });
}

/** At 1440 and 390 px, light and dark: nothing scrolls sideways, then `look` (a screenshot). */
async function atEverySize(page: Page, look: (width: number, scheme: 'light' | 'dark') => Promise<void>) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ]) {
      await page.setViewportSize({ width, height });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `sideways scrolling at ${width} px, ${scheme}`).toBe(true);
      await look(width, scheme);
    }
  }
}

async function createUser(server: Portico) {
  const api = await playwrightRequest.newContext({ baseURL: server.url });
  const login = await api.post('/api/auth/login', { data: server.admin });
  const { token } = (await login.json()) as { token: string };
  const user = { username: `log-${Date.now().toString(36)}`, password: 'log-password-1' };
  const res = await api.post('/api/users', { headers: { authorization: `Bearer ${token}` }, data: user });
  expect(res.status(), await res.text()).toBe(201);
  await api.dispose();
  return user;
}

async function createProject(server: Portico, user: { username: string; password: string }, name: string): Promise<string> {
  const api = await playwrightRequest.newContext({ baseURL: server.url });
  const login = await api.post('/api/auth/login', { data: user });
  const { token } = (await login.json()) as { token: string };
  const res = await api.post('/api/projects', { headers: { authorization: `Bearer ${token}` }, data: { name } });
  expect(res.status(), await res.text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await api.dispose();
  return id;
}

import type { BrowserContext, FrameLocator, Locator } from '@playwright/test';
import { startLlmServer } from '../tests/helpers/llm-server';
import { createProjectAs, runBuild, signInToken } from './build-runs';
import { expect, signIn, test } from './fixtures';
import { startPortico, type Portico } from './portico-server';

// The built app runs from the preview origin (issue 11, point 10): in the build page's iframe and in a
// tab of its own. A model writes a script into the app that tries to read the dashboard's cookie and
// call its API with the user's credentials; it must get neither. A server of its own, whose model server
// sends that app.

const PROBE_COOKIE = 'dashboard_probe';

/** The app a hostile model writes: it reports what it could reach into its own page. */
function hostileReply(dashboard: string): string {
  const script = [
    "var out = document.getElementById('out');",
    'var cookie;',
    "try { cookie = document.cookie; } catch (e) { cookie = 'threw ' + e.name; }",
    "document.getElementById('cookie').textContent = 'cookie:[' + cookie + ']';",
    `fetch('${dashboard}/api/auth/me', { credentials: 'include' }).then(`,
    "  function (r) { return r.text().then(function (t) { document.getElementById('fetch').textContent = 'fetch:read ' + r.status + ' ' + t; }); },",
    "  function (e) { document.getElementById('fetch').textContent = 'fetch:rejected ' + e.name; }",
    ');',
    "var stored; try { localStorage.setItem('x', '1'); stored = 'storage:yes'; } catch (e) { stored = 'storage:threw ' + e.name; }",
    "document.getElementById('storage').textContent = stored;",
  ].join('\n');
  return [
    'Here is your app.',
    '--- file: index.html',
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Probe</title><link rel="stylesheet" href="styles.css"></head>',
    '<body><h1>Built app probe</h1><p id="cookie">cookie:?</p><p id="fetch">fetch:?</p><p id="storage">storage:?</p><script src="app.js"></script></body></html>',
    '--- end',
    '--- file: styles.css',
    'h1 { color: rgb(200, 30, 30); }',
    '--- end',
    '--- file: app.js',
    script,
    '--- end',
  ].join('\n');
}

test.describe('the preview origin', () => {
  let server: Portico;
  let llm: Awaited<ReturnType<typeof startLlmServer>>;

  test.beforeAll(async () => {
    llm = await startLlmServer({ reply: '' });
    server = await startPortico({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'test-coder-1b' } });
    llm.behaviour.reply = hostileReply(server.url);
  });
  test.afterAll(async () => {
    await server?.stop();
    await llm?.close();
  });

  /** A non-httpOnly cookie on the dashboard's host: any script of that host's origin could read it. */
  async function plantProbe(context: BrowserContext) {
    await context.addCookies([{ name: PROBE_COOKIE, value: 'dashboard-secret', url: server.url }]);
  }

  async function expectContained(app: FrameLocator | Locator | import('@playwright/test').Page) {
    await expect(app.getByRole('heading', { name: 'Built app probe' })).toBeVisible();
    await expect(app.locator('#cookie')).not.toHaveText('cookie:?');
    await expect(app.locator('#cookie')).not.toContainText('dashboard-secret');
    await expect(app.locator('#cookie')).not.toContainText('portico_session');
    await expect(app.locator('#fetch')).toHaveText(/^fetch:rejected/);
    await expect(app.locator('#storage')).toHaveText(/^storage:threw/);
  }

  test('the app renders in the Preview tab and in a new tab, and reaches neither the cookie nor the API', async ({ page, context }) => {
    const token = await signInToken(server.url, server.admin);
    const projectId = await createProjectAs(server.url, token, 'Probe');
    const build = await runBuild(server.url, token, projectId, 'A page that probes its sandbox');
    expect(build.status).toBe('succeeded');

    await plantProbe(context);
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/projects/${projectId}/builds/${build.id}`)}`);
    await signIn(page, server.admin);
    await page.getByRole('tab', { name: 'Preview' }).click();

    const iframe = page.locator('iframe[title="Preview of the built app"]');
    await expect(iframe).toHaveAttribute('sandbox', 'allow-scripts allow-forms allow-modals');
    const src = (await iframe.getAttribute('src'))!;
    expect(new URL(src).origin).toBe(server.previewUrl);
    expect(new URL(src).origin).not.toBe(new URL(server.url).origin);
    const app = page.frameLocator('iframe[title="Preview of the built app"]');
    await expectContained(app);
    // The stylesheet came along (a relative link under the same capability).
    await expect(app.getByRole('heading', { name: 'Built app probe' })).toHaveCSS('color', 'rgb(200, 30, 30)');
    // The dashboard itself still has its cookie, and its API still answers it.
    expect(await page.evaluate(() => document.cookie)).toContain('dashboard_probe=dashboard-secret');

    const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Open in a new tab' }).click()]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).origin).toBe(server.previewUrl);
    await expectContained(tab);
    await tab.close();
  });

  test('Raw in the FileManager serves the file itself from the preview origin', async ({ page, context }) => {
    await plantProbe(context);
    const token = await signInToken(server.url, server.admin);
    const projectId = await createProjectAs(server.url, token, 'Raw');
    await runBuild(server.url, token, projectId, 'A page for Raw');
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
    await signIn(page, server.admin);
    await page.locator('[data-testid=file-row][data-path="styles.css"]').getByRole('button', { name: 'styles.css', exact: true }).click();
    const [raw] = await Promise.all([context.waitForEvent('page'), page.getByTestId('file-viewer').getByRole('link', { name: 'Raw' }).click()]);
    await raw.waitForLoadState();
    expect(new URL(raw.url()).origin).toBe(server.previewUrl);
    await expect(raw.locator('body')).toHaveText('h1 { color: rgb(200, 30, 30); }');
    const response = await raw.request.get(raw.url());
    expect(response.headers()['content-type']).toBe('text/css; charset=utf-8');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
    await raw.close();
  });

  test('the dashboard’s pages may frame the preview origin and no other, whatever the request says', async ({ request }) => {
    const page = await request.get(`${server.url}/login`);
    expect(page.headers()['content-security-policy']).toContain(`frame-src 'self' ${server.previewUrl};`);
    // The header server.ts hands proxy.ts is its own: a client's value never reaches the policy.
    const forged = await request.get(`${server.url}/login`, { headers: { 'x-portico-preview-origin': 'https://evil.example' } });
    expect(forged.headers()['content-security-policy']).not.toContain('evil.example');
    expect(forged.headers()['content-security-policy']).toContain(`frame-src 'self' ${server.previewUrl};`);
  });
});

import fs from 'node:fs';
import type { Page, Response } from '@playwright/test';
import { expect, signIn, test } from './fixtures';

// Issue 10, point 10 in Chromium: every page is served with a nonce-based Content-Security-Policy and
// runs under it without a single violation — the dashboard's sockets (connect-src), the noVNC viewer in
// the session page's frame (frame-ancestors 'self'), Next's own scripts (their nonce). A violation in any
// frame fails the test, whether the browser reports it as an event or only on the console.

type Violation = { where: string; directive: string; blocked: string };

async function watchViolations(page: Page): Promise<Violation[]> {
  const seen: Violation[] = [];
  // Exposed to every frame, the viewer's iframe included, like the init script below.
  await page.exposeFunction('__reportCspViolation', (v: Violation) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation(v: unknown): void }).__reportCspViolation({
        where: location.pathname,
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
      });
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) seen.push({ where: page.url(), directive: 'console', blocked: m.text() });
  });
  return seen;
}

/** The document answered with the page policy: scripts by nonce only, framed by this origin only. */
function expectPagePolicy(res: Response | null) {
  const csp = res?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'(;|$)/);
  expect(csp).toContain("frame-ancestors 'self'");
  expect(res?.headers()['x-content-type-options']).toBe('nosniff');
}

test.describe('the Content-Security-Policy', () => {
  test('sign-in, dashboard, a project and a VM session run without a violation', async ({ page, users }) => {
    const violations = await watchViolations(page);
    const user = await users.create();

    expectPagePolicy(await page.goto('/login'));
    await signIn(page, user);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('region', { name: 'VM sessions' })).toBeVisible();
    expectPagePolicy(await page.reload());
    // The account's limits are shown before any of them refuses something.
    await expect(page.getByTestId('account-usage')).toContainText(/0 of \d+ projects · 0 of \d+ VM sessions · 0 bytes of [\d.]+ MB stored · 0 of \d+ builds in the last hour/);

    const created = await page.request.post('/api/projects', { data: { name: 'Under policy' } });
    expect(created.status(), await created.text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expectPagePolicy(await page.goto(`/projects/${id}`));
    // The FileManager's hub socket is up: connect-src lets the page reach its own ws://.
    await expect(page.getByRole('status', { name: 'Live file updates: Live' })).toBeVisible();

    if (fs.existsSync('/usr/bin/Xvnc') && fs.existsSync('/usr/bin/xterm')) {
      const session = await page.request.post('/api/sessions', { data: { name: 'Framed desktop' } });
      expect(session.status(), await session.text()).toBe(201);
      const { id: sessionId } = (await session.json()) as { id: string };
      expectPagePolicy(await page.goto(`/sessions/${sessionId}`));
      // The viewer page, framed by its own origin, connected its socket and drew the desktop.
      const viewer = page.frameLocator('iframe[title^="Desktop of"]');
      await expect(viewer.getByTestId('connection-badge')).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
      await expect(viewer.locator('canvas')).toBeVisible();
      const removed = await page.request.delete(`/api/sessions/${sessionId}`);
      expect(removed.status()).toBe(204);
    }

    expect(violations).toEqual([]);
  });

  test('the status page runs without a violation', async ({ page, admin }) => {
    const violations = await watchViolations(page);
    expectPagePolicy(await page.goto('/status'));
    await signIn(page, admin);
    await expect(page).toHaveURL(/\/status$/);
    await expect(page.getByRole('status', { name: 'Live system stats: Live' })).toBeVisible();
    expect(violations).toEqual([]);
  });

  test('another site cannot frame the VNC viewer', async ({ page }) => {
    const res = await page.goto('/vnc/any-session');
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'self'");
  });
});

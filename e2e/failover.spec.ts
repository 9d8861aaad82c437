import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import type { BuildEvent } from '../lib/protocol/build';
import { expect, test } from './cluster-fixture';
import { signIn } from './fixtures';

// A gateway SIGKILLed while the browser watches a build through HAProxy (issue 13, points 3 and 5): the
// page reconnects through HAProxy to the other gateway, resumes after the last seq it has, and shows
// the build to its end. What the page received over its build sockets must be the build's record exactly:
// every event once, in order, none missing.

test('a gateway killed mid-build: the page resumes on the other gateway with every event exactly once', async ({ page, cluster }) => {
  test.setTimeout(120_000);
  const api = await signedIn(cluster.url, cluster.admin);
  const created = await api.post('/api/projects', { data: { name: 'Failover' } });
  expect(created.status(), await created.text()).toBe(201);
  const projectId = ((await created.json()) as { id: string }).id;

  // Every build event the page receives, over every build socket it opens.
  const received: BuildEvent[] = [];
  const buildSockets: string[] = [];
  page.on('websocket', (ws) => {
    if (!new URL(ws.url()).pathname.startsWith('/api/build/')) return;
    buildSockets.push(ws.url());
    ws.on('framereceived', ({ payload }) => {
      const m = JSON.parse(payload.toString()) as BuildEvent;
      if (typeof m.seq === 'number') received.push(m);
    });
  });

  await page.goto(`${cluster.url}/login?next=${encodeURIComponent(`/projects/${projectId}`)}`);
  await signIn(page, cluster.admin);
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}$`));
  const badge = page.getByRole('region', { name: 'Build', exact: true }).getByTestId('connection-badge');
  await expect(badge).toHaveAttribute('data-state', 'live');

  await page.getByLabel('Prompt').fill('A pomodoro timer with a task list');
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  await expect.poll(() => received.some((e) => e.type === 'file-progress'), { timeout: 30_000, message: 'the build streams files' }).toBe(true);
  expect(received.some((e) => e.type === 'done'), 'the build is still running when its gateway dies').toBe(false);
  const buildId = received[0].buildId;

  // The gateway holding the page's build socket, by its own count.
  const holding = async () => {
    const found: string[] = [];
    for (const gw of cluster.gateways) {
      const res = await api.get(`${gw.url}/api/admin/health`).catch(() => null);
      if (res?.ok() && ((await res.json()) as { sockets: { byRoute: Record<string, number> } }).sockets.byRoute.build > 0) found.push(gw.name);
    }
    return found;
  };
  const [victim, ...others] = await holding();
  expect(others, 'one gateway holds the build socket').toEqual([]);
  const pid = cluster.serverPid(victim);
  process.kill(pid, 'SIGKILL');
  await expect.poll(() => alive(pid), { message: `${victim} is gone` }).toBe(false);

  const result = page.getByTestId('build-result').getByTestId('build-status');
  await expect(result).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
  await expect(badge).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('fallback-notice')).toBeHidden();
  expect(await holding(), 'the page watches from the gateway still alive').toEqual(cluster.gateways.filter((g) => g.name !== victim).map((g) => g.name));
  expect(buildSockets.length, 'the page opened a second build socket').toBeGreaterThanOrEqual(2);
  expect(new URL(buildSockets.at(-1)!).searchParams.get('after'), 'the reconnect asked to resume after a seq').not.toBeNull();

  const record = await api.get(`/api/projects/${projectId}/builds/${buildId}/events?limit=1000`);
  const { events, lastSeq, more } = (await record.json()) as { events: BuildEvent[]; lastSeq: number; more: boolean };
  expect(more).toBe(false);
  const ours = received.filter((e) => e.buildId === buildId);
  expect(ours.map((e) => e.seq), 'every event exactly once, in order').toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
  expect(ours.map((e) => e.type)).toEqual(events.map((e) => e.type));
  await api.dispose();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function signedIn(baseURL: string, who: { username: string; password: string }): Promise<APIRequestContext> {
  const login = await playwrightRequest.newContext({ baseURL });
  const res = await login.post('/api/auth/login', { data: who });
  expect(res.status(), await res.text()).toBe(200);
  const { token } = (await res.json()) as { token: string };
  await login.dispose();
  return playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
}

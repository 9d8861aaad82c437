import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { request as playwrightRequest, type Locator, type Page } from '@playwright/test';
import { expect, signIn, test, type Credentials } from './fixtures';
import { ENV, fromEnv } from './server-env';

// Every page at a phone's width and a laptop's, light and dark: nothing wider than the window (no sideways
// scrolling), the header's controls all on screen and clear of each other, and the tab named for what the
// page shows. Screenshots land in test-results/pages/ for a person to look at; they are not compared.
//
// A page joins the sweep as one record in PAGES.

type World = { projectId: string; projectName: string; buildId: string; sessionId: string; sessionName: string };

type PageCase = {
  name: string;
  path(world: World): string;
  /** The tab's title once the page has what it shows. */
  title(world: World): string;
  /** Waits until the page shows what it is for (so the screenshot and the checks see the real thing). */
  ready(page: Page, world: World): Promise<void>;
  /** Signed-in pages have the dashboard's header; the sign-in and not-found pages have none. */
  header: boolean;
};

const PAGES: PageCase[] = [
  {
    name: 'login',
    path: () => '/login',
    title: () => 'Sign in · Portico',
    ready: (page) => expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible(),
    header: false,
  },
  {
    name: 'dashboard',
    path: () => '/',
    title: () => 'Dashboard · Portico',
    ready: async (page, w) => {
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
      await expect(page.getByRole('link', { name: w.projectName })).toBeVisible();
      await expect(page.getByTestId('account-usage')).toBeVisible();
    },
    header: true,
  },
  {
    name: 'project',
    path: (w) => `/projects/${w.projectId}`,
    title: (w) => `${w.projectName} · Portico`,
    ready: async (page, w) => {
      await expect(page.getByRole('heading', { level: 1, name: w.projectName })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Build', exact: true })).toBeVisible();
      await expect(page.getByTestId('file-row').first()).toBeVisible();
    },
    header: true,
  },
  {
    name: 'build',
    path: (w) => `/projects/${w.projectId}/builds/${w.buildId}`,
    title: (w) => `Build ${w.buildId.slice(0, 8)} · ${w.projectName} · Portico`,
    ready: async (page) => {
      await expect(page.getByTestId('build-prompt')).toBeVisible();
      await expect(page.getByTestId('build-result').getByTestId('build-status')).toHaveAttribute('data-status', 'succeeded');
      await expect(page.getByTestId('build-log').locator('[data-seq]').first()).toBeVisible();
    },
    header: true,
  },
  {
    name: 'session',
    path: (w) => `/sessions/${w.sessionId}`,
    title: (w) => `${w.sessionName} · Portico`,
    ready: async (page, w) => {
      await expect(page.getByRole('heading', { level: 1, name: w.sessionName })).toBeVisible();
      await expect(page.locator('iframe')).toBeVisible();
    },
    header: true,
  },
  {
    name: 'status',
    path: () => '/status',
    title: () => 'Status · Portico',
    ready: async (page) => {
      await expect(page.getByRole('img', { name: /^CPU, % of one core/ })).toBeVisible();
      await expect(page.getByTestId('upstream-build')).toHaveText('Reachable');
    },
    header: true,
  },
  {
    name: 'users',
    path: () => '/users',
    title: () => 'Users · Portico',
    ready: (page) => expect(page.getByRole('list', { name: 'Users' }).getByRole('listitem').first()).toBeVisible(),
    header: true,
  },
  {
    name: 'no-such-project',
    path: () => '/projects/no-such-project-here',
    title: () => 'Not found · Portico',
    ready: (page) => expect(page.getByRole('heading', { level: 1, name: 'No such project, or it is not yours.' })).toBeVisible(),
    header: true,
  },
  {
    name: 'not-found',
    path: () => '/no-such-page',
    title: () => 'Not found · Portico',
    ready: (page) => expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible(),
    header: false,
  },
];

const SIZES = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'laptop', viewport: { width: 1440, height: 900 } },
];
const SCHEMES = ['light', 'dark'] as const;

// The widest header there is: an admin (two more links) with a long name.
let admin: Credentials;
let world: World;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  const baseURL = fromEnv(ENV.url);
  const api = await playwrightRequest.newContext({ baseURL });
  const login = await api.post('/api/auth/login', { data: { username: fromEnv(ENV.adminUsername), password: fromEnv(ENV.adminPassword) } });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  admin = { username: `margaret-hamilton-${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('base64url') };
  const created = await api.post('/api/users', { headers: auth, data: { ...admin, role: 'admin' } });
  expect(created.status(), await created.text()).toBe(201);

  const mine = await api.post('/api/auth/login', { data: admin });
  const asAdmin = { authorization: `Bearer ${((await mine.json()) as { token: string }).token}` };
  // A long name, as people give them: the header truncates it, nothing pushes the page wider.
  const projectName = 'bakery: orders, ovens and the morning delivery round';
  const project = await api.post('/api/projects', { headers: asAdmin, data: { name: projectName } });
  expect(project.status(), await project.text()).toBe(201);
  const projectId = ((await project.json()) as { id: string }).id;
  for (const [file, body] of [['index.html', '<!doctype html><title>Bakery</title><h1>Bakery</h1>'], ['assets/a-file-with-a-rather-long-name-for-a-phone.css', 'h1{color:peru}']]) {
    const put = await api.put(`/api/projects/${projectId}/files/${file}`, { headers: asAdmin, data: body });
    expect(put.status(), await put.text()).toBe(201);
  }
  // An external target nothing listens on: the page and its viewer render without starting a VM.
  const sessionName = 'Reception desk terminal';
  const session = await api.post('/api/sessions', { headers: asAdmin, data: { name: sessionName, target: 'tcp://127.0.0.1:9' } });
  expect(session.status(), await session.text()).toBe(201);
  const sessionId = ((await session.json()) as { id: string }).id;

  // A finished build, so the project page has its log, result and written files to fit in a phone, with
  // a prompt that has a long unbroken word in it as pasted addresses do.
  const page = await browser.newPage({ baseURL });
  await page.goto(`/projects/${projectId}`);
  await signIn(page, admin);
  await page.getByLabel('Prompt').fill('An order board for a bakery, like https://example.com/bakeries/the-morning-round/orders?view=board-with-a-long-address');
  await page.getByRole('button', { name: 'Build', exact: true }).click();
  const latest = async () => ((await (await api.get(`/api/projects/${projectId}/builds`, { headers: asAdmin })).json()) as { id: string; status: string }[])[0];
  await expect.poll(async () => (await latest())?.status, { timeout: 60_000 }).toBe('succeeded');
  world = { projectId, projectName, buildId: (await latest()).id, sessionId, sessionName };
  await page.close();
  await api.dispose();
});

for (const size of SIZES) {
  for (const colorScheme of SCHEMES) {
    test(`every page at ${size.viewport.width}×${size.viewport.height}, ${colorScheme}: no sideways scrolling, the header fits, the tab names the page`, async ({ browser, baseURL }, testInfo) => {
      const context = await browser.newContext({ baseURL, viewport: size.viewport, colorScheme });
      const page = await context.newPage();
      try {
        for (const entry of PAGES) {
          if (entry.header) await ensureSignedIn(page);
          await page.goto(entry.path(world));
          await entry.ready(page, world);
          await expect.soft(page, entry.name).toHaveTitle(entry.title(world));

          const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
          expect.soft(widths.scroll, `${entry.name}: the page is wider than the window`).toBeLessThanOrEqual(widths.inner);
          if (entry.header) await expectHeaderFits(page, size.viewport.width);

          await page.screenshot({ path: path.join(testInfo.project.outputDir, 'pages', `${entry.name}-${size.viewport.width}-${colorScheme}.png`), fullPage: true });
        }
      } finally {
        await context.close();
      }
    });
  }
}

async function ensureSignedIn(page: Page): Promise<void> {
  const cookies = await page.context().cookies();
  if (cookies.some((c) => c.name === 'portico_session')) return;
  await page.goto('/login');
  await signIn(page, admin);
  await expect(page.getByTestId('signed-in-user')).toBeVisible();
}

/** The brand, the admin links, who is signed in, Password and Sign out: each on screen, none on another. */
async function expectHeaderFits(page: Page, width: number): Promise<void> {
  const header = page.getByRole('banner');
  const controls: [string, Locator][] = [
    ['brand', header.getByRole('link', { name: 'Portico' })],
    ['Status', header.getByRole('link', { name: 'Status' })],
    ['Users', header.getByRole('link', { name: 'Users' })],
    ['user', header.getByTestId('signed-in-user')],
    ['Password', header.getByRole('button', { name: 'Password' })],
    ['Sign out', header.getByRole('button', { name: 'Sign out' })],
  ];
  const boxes: [string, { x: number; y: number; width: number; height: number }][] = [];
  for (const [name, control] of controls) {
    await expect(control, name).toBeVisible();
    const box = (await control.boundingBox())!;
    expect.soft(box.width, `${name} has no width`).toBeGreaterThan(4);
    expect.soft(box.x, `${name} starts off screen`).toBeGreaterThanOrEqual(0);
    expect.soft(box.x + box.width, `${name} ends off screen`).toBeLessThanOrEqual(width);
    boxes.push([name, box]);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i];
      const [b, q] = boxes[j];
      const apart = p.x + p.width <= q.x + 0.5 || q.x + q.width <= p.x + 0.5 || p.y + p.height <= q.y + 0.5 || q.y + q.height <= p.y + 0.5;
      expect.soft(apart, `${a} and ${b} overlap in the header`).toBe(true);
    }
  }
}

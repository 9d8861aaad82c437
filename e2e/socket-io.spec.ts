import fs from 'node:fs';
import path from 'node:path';
import { expect, signIn, test } from './fixtures';
import { startPortico, type Portico } from './portico-server';
import { routesFile, startSocketIoExample } from '../tests/helpers/declared';

// A real Socket.IO service behind Portico (examples/socket-io, declared at /socket.io/ with `user` auth), in
// Chromium: the page loads the socket.io client through the route, connects on long-polling, upgrades to
// WebSocket and receives the service's event; signed out, it is refused. The dashboard's pages allow only
// their own nonced scripts ('strict-dynamic'), so the test injects the client into a context with
// bypassCSP — what a real page would do is bundle socket.io-client, which needs no change of the CSP.

type Outcome = { openedOn?: string; connectedOn?: string; upgradedTo?: string; hello?: { user: string | null; transport: string }; echoed?: unknown; error?: string };

/** `from`: load the client through the route (what a signed-in page does) or from node_modules. */
async function connectInPage(page: import('@playwright/test').Page, from: 'route' | 'package'): Promise<Outcome> {
  if (from === 'route') await page.addScriptTag({ url: '/socket.io/socket.io.js' });
  else await page.addScriptTag({ path: path.join(__dirname, '../node_modules/socket.io-client/dist/socket.io.min.js') });
  return page.evaluate(
    () =>
      new Promise<Outcome>((resolve) => {
        const out: Outcome = {};
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const socket = (window as any).io({ path: '/socket.io/', transports: ['polling', 'websocket'], reconnection: false });
        const timer = setTimeout(() => (socket.close(), resolve({ ...out, error: 'timeout' })), 15_000);
        const done = (extra: Partial<Outcome>) => (clearTimeout(timer), socket.close(), resolve({ ...out, ...extra }));
        // The engine's open is read, not Socket.IO's connect: on a busy machine the upgrade may finish first.
        socket.io.engine.once('open', () => (out.openedOn = socket.io.engine.transport.name));
        socket.on('connect', () => (out.connectedOn = socket.io.engine.transport.name));
        socket.on('hello', (h: Outcome['hello']) => (out.hello = h));
        socket.on('connect_error', (err: Error) => done({ error: err.message }));
        socket.io.engine.on('upgrade', async (t: { name: string }) => {
          out.upgradedTo = t.name;
          done({ echoed: await socket.timeout(5000).emitWithAck('echo', { from: 'chromium' }) });
        });
      }),
  );
}

test.describe('Socket.IO through a declared route', () => {
  test.use({ bypassCSP: true });
  let example: Awaited<ReturnType<typeof startSocketIoExample>>;
  let routes: ReturnType<typeof routesFile>;
  let server: Portico;

  test.beforeAll(async () => {
    example = await startSocketIoExample();
    routes = routesFile();
    const yaml = fs.readFileSync(path.join(__dirname, '../examples/socket-io/routes.yaml'), 'utf8');
    routes.write(yaml.replace('http://127.0.0.1:4300', example.url));
    server = await startPortico({ env: { ROUTES_FILE: routes.file } });
  });
  test.afterAll(async () => {
    await server?.stop();
    await example?.stop();
    routes?.remove();
  });

  test('signed in: polling, then WebSocket, an event from the service and an echo', async ({ page }) => {
    await page.goto(`${server.url}/`);
    await signIn(page, server.admin);
    await expect(page).not.toHaveURL(/\/login/);
    const out = await connectInPage(page, 'route');
    expect(out).toMatchObject({ openedOn: 'polling', upgradedTo: 'websocket', hello: { user: server.admin.username }, echoed: { from: 'chromium' } });
    expect(out.error).toBeUndefined();
  });

  test('signed out: refused', async ({ page }) => {
    await page.goto(`${server.url}/login`);
    // Signed out, even the client script is behind the route's sign-in.
    expect((await page.request.get(`${server.url}/socket.io/socket.io.js`)).status()).toBe(401);
    const out = await connectInPage(page, 'package');
    expect(out.connectedOn).toBeUndefined();
    expect(out.openedOn).toBeUndefined();
    expect(out.error).toMatch(/xhr poll error/);
  });

  test('the status page lists the route and its upstream', async ({ page }) => {
    await page.goto(`${server.url}/status`);
    await signIn(page, server.admin);
    const panel = page.getByRole('region', { name: 'Declared routes' });
    const row = panel.getByRole('listitem', { name: 'Route /socket.io/' });
    await expect(row).toContainText(`→ ${example.url}/`);
    await expect(row).toContainText('HTTP + WebSocket');
    await expect(page.getByTestId('declared-health-socket-io')).toHaveText(/^Reachable · \d+ ms$/);
    await expect(page.getByTestId('declared-sockets-socket-io')).toHaveText('0 / 1000');
    // For a person to look at: both widths, light and dark, no sideways scrolling.
    for (const [width, height] of [[1440, 900], [390, 844]] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme });
        await panel.scrollIntoViewIfNeeded();
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await panel.screenshot({ path: path.join(test.info().project.outputDir, 'pages', `declared-routes-${width}-${colorScheme}.png`) });
      }
    }
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runRouteDoctor } from '../lib/doctor/route-doctor';
import { startGateway, type TestGateway } from './helpers/gateway';
import { routesFile, startSocketIoExample } from './helpers/declared';

// `npm run doctor -- --route /socket.io/`: a working route says so; a broken one says where in one sentence.

const ROOT = path.resolve(__dirname, '..');

describe('doctor --route', () => {
  let example: Awaited<ReturnType<typeof startSocketIoExample>> | null;
  let routes: ReturnType<typeof routesFile>;
  let gw: TestGateway;
  let alice: { token: string };

  before(async () => {
    example = await startSocketIoExample();
    routes = routesFile();
    const yaml = fs.readFileSync(path.join(ROOT, 'examples/socket-io/routes.yaml'), 'utf8');
    routes.write(yaml.replace('http://127.0.0.1:4300', example.url));
    gw = await startGateway({ ROUTES_FILE: routes.file });
    alice = await gw.createUser('alice');
  });
  after(async () => {
    await gw?.close();
    await example?.stop();
    routes?.remove();
  });

  test('the Socket.IO route works: table, HTTP and the upgrade (as the npm script runs it)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/doctor.ts'), '--route', '/socket.io/', gw.url, '--token', gw.adminToken], { cwd: ROOT });
    assert.match(stdout, /ok {3}table {4}Declared: \/socket\.io\/ → http:\/\/127\.0\.0\.1:\d+\/ \(both, user\)/);
    assert.match(stdout, /ok {3}upgrade/);
    assert.match(stdout, /Route \/socket\.io\/ works through/);
  });

  test("a user's token cannot read the table, the rest is still checked", async () => {
    const r = await runRouteDoctor({ url: gw.url, route: '/socket.io/', token: alice.token });
    assert.equal(r.ok, true, r.verdict);
    assert.deepEqual(r.checks.map((c) => c.name), ['table', 'http', 'upgrade']);
  });

  test('without a token: broken at http, with the 401 sentence', async () => {
    const r = await runRouteDoctor({ url: gw.url, route: '/socket.io/' });
    assert.equal(r.verdict, 'Route /socket.io/ is broken at http: Portico refused /socket.io/ with HTTP 401 (unauthorized): Sign in to use /socket.io/.');
  });

  test('a route that is not declared, and an upstream that is down', async () => {
    let r = await runRouteDoctor({ url: gw.url, route: '/nope/', token: gw.adminToken });
    assert.equal(r.verdict, 'Route /nope/ is broken at table: No declared route /nope/ (declared: /socket.io/).');
    await example!.stop();
    example = null;
    r = await runRouteDoctor({ url: gw.url, route: '/socket.io/', token: alice.token });
    assert.match(r.verdict, /^Route \/socket\.io\/ is broken at http: Portico refused \/socket\.io\/ with HTTP 502 \(bad_gateway\): The upstream of \/socket\.io\/ is unreachable \(ECONNREFUSED\)\.$/);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { resolveJwtSecret } from '../lib/auth/jwt-secret';
import { buildOutputDir } from '../lib/build/build-output';
import { PREVIEW_TOKEN_AUDIENCE, PREVIEW_TOKEN_ISSUER, derivePreviewKey } from '../lib/preview/preview-tokens';
import type { TestGateway } from './helpers/gateway';
import { gatewayWithTwoBuilds } from './helpers/run-build';

// The preview origin (issue 11, point 10): a second server that serves a build's files only to a
// capability minted for that build, with a strict sandboxing policy, never from anything else.

/** A GET exactly as written (fetch would normalise `..` away), with the answer's status, headers, body. */
function rawGet(base: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the preview origin', () => {
  let gw: TestGateway;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let projectId: string;
  let first: string;
  let second: string;
  let secret: string;
  let previewBase: string;

  const mint = (buildId: string, token: string, body?: unknown) =>
    gw.api('POST', `/api/projects/${projectId}/builds/${buildId}/preview`, { token, ...(body !== undefined ? { body } : {}) });
  /** The path and origin of a minted URL. */
  const split = (url: string) => ({ origin: new URL(url).origin, target: new URL(url).pathname });

  before(async () => {
    ({ gw, owner, other, projectId, first, second } = await gatewayWithTwoBuilds('preview'));
    secret = resolveJwtSecret(gw.portico.config.jwtSecret, gw.portico.config.dataDir);
    previewBase = `http://127.0.0.1:${gw.portico.preview.port}`;
  });
  after(() => gw.close());

  test('a minted link serves the build’s index.html from another origin with the sandboxing policy', async () => {
    const r = await mint(first, owner.token);
    assert.equal(r.status, 200);
    const { origin, target } = split(r.body.url);
    assert.equal(origin, previewBase, 'the same host as the dashboard, on the preview port');
    assert.notEqual(origin, new URL(gw.url).origin);
    assert.match(target, /^\/p\/[\w-]+\.[\w-]+\.[\w-]+\/index\.html$/);
    assert.ok(r.body.expiresAt > Date.now() + 59 * 60_000 && r.body.expiresAt <= Date.now() + 3600_000);

    const page = await rawGet(previewBase, target);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>A stopwatch with laps<\/title>/);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['set-cookie'], undefined);
    const csp = page.headers['content-security-policy'] as string;
    assert.match(csp, /^sandbox allow-scripts allow-forms allow-modals;/);
    assert.doesNotMatch(csp, /allow-same-origin/);
    assert.match(csp, /connect-src 'none'/);
    assert.match(csp, /form-action 'none'/);
    assert.match(csp, /base-uri 'none'/);
    assert.match(csp, new RegExp(`frame-ancestors ${new URL(gw.url).origin.replace(/[.]/g, '\\.')}(;|$)`));
  });

  test('relative links resolve under the same capability, each with its own Content-Type', async () => {
    const { target } = split((await mint(first, owner.token)).body.url);
    const dir = target.slice(0, target.lastIndexOf('/') + 1);
    const css = await rawGet(previewBase, `${dir}styles.css`);
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const js = await rawGet(previewBase, `${dir}app.js`);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    // The folder itself is its index.html; without the slash, a redirect adds it.
    assert.match((await rawGet(previewBase, dir)).body, /<title>/);
    const bare = await rawGet(previewBase, dir.slice(0, -1));
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.location, dir);
  });

  test('a link to one file (Raw) serves that file itself, and a workspace link serves the workspace', async () => {
    const raw = await mint(first, owner.token, { path: 'app.js' });
    const js = await rawGet(previewBase, split(raw.body.url).target);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.doesNotMatch(js.body, /^\{/, 'the file, not a JSON wrapper');
    const ws = await gw.api('POST', `/api/projects/${projectId}/preview`, { token: owner.token, body: { path: 'index.html' } });
    assert.equal(ws.status, 200);
    assert.match((await rawGet(previewBase, split(ws.body.url).target)).body, /A stopwatch with splits/);
    const bad = await mint(first, owner.token, { path: '../secret' });
    assert.equal(bad.status, 400);
  });

  test('Raw on the dashboard is a link that redirects to that one file on the preview origin', async () => {
    const r = await fetch(`${gw.url}/api/projects/${projectId}/builds/${first}/raw/styles.css`, { headers: { authorization: `Bearer ${owner.token}` }, redirect: 'manual' });
    assert.equal(r.status, 303);
    const location = r.headers.get('location')!;
    assert.equal(new URL(location).origin, previewBase);
    const css = await rawGet(previewBase, new URL(location).pathname);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const ws = await fetch(`${gw.url}/api/projects/${projectId}/raw/index.html`, { headers: { authorization: `Bearer ${owner.token}` }, redirect: 'manual' });
    assert.equal(ws.status, 303);
    assert.match((await rawGet(previewBase, new URL(ws.headers.get('location')!).pathname)).body, /splits/);
    const theirs = await fetch(`${gw.url}/api/projects/${projectId}/builds/${first}/raw/styles.css`, { headers: { authorization: `Bearer ${other.token}` }, redirect: 'manual' });
    assert.equal(theirs.status, 404);
  });

  test('each build’s link opens that build only: two builds, two outputs', async () => {
    const a = await rawGet(previewBase, split((await mint(first, owner.token)).body.url).target);
    const b = await rawGet(previewBase, split((await mint(second, owner.token)).body.url).target);
    assert.match(a.body, /laps/);
    assert.match(b.body, /splits/);
    assert.doesNotMatch(a.body, /splits/);
  });

  test('only the owner can mint a link; everyone else gets "No such build."', async () => {
    const r = await mint(first, other.token);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.message, 'No such build.');
    const ws = await gw.api('POST', `/api/projects/${projectId}/preview`, { token: other.token, body: {} });
    assert.equal(ws.status, 403);
    assert.equal((await gw.api('POST', `/api/projects/${projectId}/builds/${first}/preview`)).status, 401);
  });

  test('a token that is forged, expired, for another audience or from another key is refused', async () => {
    const { target } = split((await mint(first, owner.token)).body.url);
    const good = target.split('/')[2];
    const key = derivePreviewKey(secret);
    const sign = (claims: Record<string, string>, opts: { aud?: string; exp?: number; key?: Uint8Array } = {}) =>
      new SignJWT({ scope: 'build', project: projectId, build: first, ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(owner.id)
        .setIssuer(PREVIEW_TOKEN_ISSUER)
        .setAudience(opts.aud ?? PREVIEW_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 60)
        .sign(opts.key ?? key);
    const tampered = `${good.slice(0, -4)}${good.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const cases: [string, string][] = [
      ['expired', await sign({}, { exp: Math.floor(Date.now() / 1000) - 5 })],
      ['wrong audience', await sign({}, { aud: 'portico-build-backend' })],
      ['signed with the session key', await sign({}, { key: new TextEncoder().encode(secret) })],
      ['tampered signature', tampered],
      ['the user’s own sign-in token', owner.token],
      ['no token', ''],
    ];
    for (const [name, token] of cases) {
      const r = await rawGet(previewBase, `/p/${token}/index.html`);
      assert.equal(r.status, 401, name);
      assert.match(r.body, /not valid or has expired/, name);
    }
    // A well-signed token for a build of another project opens nothing.
    const otherProject = (await gw.createProject(owner.token, 'elsewhere')).id;
    const crossed = await sign({ project: otherProject });
    assert.equal((await rawGet(previewBase, `/p/${crossed}/index.html`)).status, 404);
  });

  test('the dashboard’s cookie is no authority here', async () => {
    const r = await rawGet(previewBase, '/p/x/index.html', { cookie: `portico_session=${owner.token}`, authorization: `Bearer ${owner.token}` });
    assert.equal(r.status, 401);
    const root = await rawGet(previewBase, '/', { cookie: `portico_session=${owner.token}` });
    assert.equal(root.status, 404);
  });

  test('nothing outside the build’s folder is served: .., encoded .., symlinks, absolute paths', async () => {
    const { target } = split((await mint(first, owner.token)).body.url);
    const dir = target.slice(0, target.lastIndexOf('/') + 1);
    const out = buildOutputDir(gw.portico.config.dataDir, first);
    fs.writeFileSync(path.join(gw.portico.config.dataDir, 'outside.txt'), 'secret');
    fs.symlinkSync(path.join(gw.portico.config.dataDir, 'outside.txt'), path.join(out, 'link.txt'));
    fs.symlinkSync(gw.portico.config.dataDir, path.join(out, 'data'));
    for (const p of ['../../outside.txt', '..%2F..%2Foutside.txt', '%2e%2e/%2e%2e/outside.txt', 'link.txt', 'data/outside.txt', '%2Fetc%2Fpasswd', 'a%00b']) {
      const r = await rawGet(previewBase, `${dir}${p}`);
      assert.ok(r.status === 400 || r.status === 404, `${p}: ${r.status}`);
      assert.doesNotMatch(r.body, /secret|root:/, p);
    }
    assert.equal((await rawGet(previewBase, `${dir}nope.html`)).status, 404);
  });

  test('only GET and HEAD', async () => {
    const { target } = split((await mint(first, owner.token)).body.url);
    const res = await fetch(previewBase + target, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(previewBase + target, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get('content-length')) > 0);
  });
});

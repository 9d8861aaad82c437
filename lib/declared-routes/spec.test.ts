import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoutes, RoutesFileError } from './spec';

const ok = (route: Record<string, unknown>) => ({ path: '/socket.io/', upstream: 'http://127.0.0.1:4300', auth: 'user', ...route });

function problem(doc: unknown, file = 'routes.yaml'): string {
  try {
    parseRoutes(typeof doc === 'string' ? doc : JSON.stringify(doc), file);
  } catch (err) {
    assert.ok(err instanceof RoutesFileError);
    return err.message;
  }
  assert.fail('the file was accepted');
}

test('a valid YAML file: defaults filled in, name from the prefix', () => {
  const specs = parseRoutes(
    `routes:
  - path: /socket.io/
    upstream: http://127.0.0.1:4300
    auth: user
  - name: kernel
    path: /kernels/
    upstream: wss://kernels.internal/base/
    traffic: websocket
    auth: { owner: { segment: 0 } }
    stripPrefix: true
    connectTimeoutMs: 2000
    idleTimeoutMs: 60000
    maxSockets: 10
    identity: bearer
`,
    'routes.yaml',
  );
  assert.equal(specs.length, 2);
  assert.deepEqual({ ...specs[0], upstream: specs[0].upstream.href }, { name: 'socket-io', path: '/socket.io/', upstream: 'http://127.0.0.1:4300/', traffic: 'both', auth: 'user', stripPrefix: false, identity: 'headers' });
  assert.equal(specs[1].name, 'kernel');
  assert.deepEqual(specs[1].auth, { owner: { segment: 0 } });
  assert.equal(specs[1].maxSockets, 10);
  assert.ok(Object.isFrozen(specs) && Object.isFrozen(specs[0]));
});

test('JSON by extension; an empty list is a valid (empty) table', () => {
  assert.equal(parseRoutes(JSON.stringify({ routes: [ok({})] }), '/etc/portico/routes.json').length, 1);
  assert.equal(parseRoutes('routes: []', 'r.yaml').length, 0);
});

test('the example of the brief: file, route index and path, field', () => {
  assert.equal(
    problem({ routes: [ok({ path: '/a/' }), ok({ upstream: 'ftp://x' })] }),
    'routes.yaml: route 2 (/socket.io/): upstream: must be an http(s) or ws(s) URL without credentials, query or fragment',
  );
});

test('each invalid shape is named', () => {
  const cases: [unknown, RegExp][] = [
    ['routes: [', /^routes\.yaml: not valid YAML: /],
    [{ nope: [] }, /^routes\.yaml: must be an object with a "routes" list$|^routes\.yaml: routes: /],
    [{ routes: 'x' }, /^routes\.yaml: routes: /],
    [{ routes: [ok({ path: 'socket.io/' })] }, /route 1 \(socket\.io\/\): path: must start and end with "\/"/],
    [{ routes: [ok({ path: '/socket.io' })] }, /path: must start and end with "\/"/],
    [{ routes: [ok({ path: '/' })] }, /path: must start and end with "\/" and name at least one segment/],
    [{ routes: [ok({ path: '/a/../b/' })] }, /path: must not hold a "\." or "\.\." segment/],
    [{ routes: [ok({ path: '/a%2fb/' })] }, /path: may hold only letters/],
    [{ routes: [ok({ path: '//a/' })] }, /path: must not hold an empty segment/],
    [{ routes: [ok({ path: '/api/x/' })] }, /path: must not start with a path of Portico's own/],
    [{ routes: [ok({ path: '/_next/' })] }, /path: must not start with a path of Portico's own/],
    [{ routes: [ok({ path: '/projects/' })] }, /path: must not start with a path of Portico's own/],
    [{ routes: [ok({ upstream: 'http://user:pw@x/' })] }, /upstream: must be an http\(s\) or ws\(s\) URL/],
    [{ routes: [ok({ upstream: 'not a url' })] }, /upstream: must be/],
    [{ routes: [ok({ traffic: 'udp' })] }, /route 1 \(\/socket\.io\/\): traffic: /],
    [{ routes: [ok({ auth: 'everyone' })] }, /auth: must be "public", "user", "admin" or/],
    [{ routes: [ok({ auth: { owner: {} } })] }, /auth/],
    [{ routes: [ok({ auth: { owner: { segment: 0, query: 'p' } } })] }, /auth/],
    [{ routes: [ok({ stripPrefix: 'yes' })] }, /stripPrefix: /],
    [{ routes: [ok({ connectTimeoutMs: 5 })] }, /connectTimeoutMs: /],
    [{ routes: [ok({ idleTimeoutMs: -1 })] }, /idleTimeoutMs: /],
    [{ routes: [ok({ maxSockets: 0 })] }, /maxSockets: /],
    [{ routes: [ok({ identity: 'password' })] }, /identity: /],
    [{ routes: [ok({ upstrem: 'http://x' })] }, /route 1 \(\/socket\.io\/\): upstrem: not a field of a route/],
    [{ routes: [ok({ name: 'Bad Name' })] }, /name: must be lower-case/],
    [{ routes: [ok({ name: 'events' })] }, /name: must not be the name of a built-in route/],
    [{ routes: [ok({}), ok({ path: '/socket.io/x/', name: 'other' })] }, /route 2 \(\/socket\.io\/x\/\): path: overlaps \/socket\.io\//],
    [{ routes: [ok({ name: 'a' }), ok({ name: 'a', path: '/b/' })] }, /route 2 \(\/b\/\): name: "a" is already/],
    [{ routes: [{ path: '/x/' }] }, /route 1 \(\/x\/\): upstream: /],
  ];
  for (const [doc, expected] of cases) assert.match(problem(doc), expected, JSON.stringify(doc));
});

test('JSON syntax errors say JSON', () => {
  assert.match(problem('{"routes": [', 'routes.json'), /^routes\.json: not valid JSON: /);
});

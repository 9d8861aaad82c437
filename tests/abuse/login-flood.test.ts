import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10 point 5: 64 concurrent failing logins filled libuv's thread pool with scrypt, and every
// signed-in user waited behind them (a project list went from 2 ms to 6 s, the file tree to 58 s). Now
// logins are rate-limited per address and per username (429 + Retry-After + a sentence) and hashing runs
// through a small bounded pool, so a signed-in user's requests stay fast during the flood.

const P99_BOUND_MS = 250;

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

describe('login flood', () => {
  let gw: TestGateway;
  // The shipped defaults for the limits (the test helper raises the per-address one for other suites).
  before(async () => (gw = await startGateway({ LOGIN_ATTEMPTS_PER_IP: '20' })));
  after(() => gw.close());

  test("64 concurrent failing logins get 429s while a signed-in user's requests stay fast", async () => {
    const user = await gw.createUser('worker');
    const project = await gw.createProject(user.token, 'busy');
    for (let i = 0; i < 5; i++) {
      const put = await fetch(`${gw.url}/api/projects/${project.id}/files/src/f${i}.txt`, { method: 'PUT', headers: { authorization: `Bearer ${user.token}` }, body: `file ${i}` });
      assert.equal(put.status < 300, true, `upload ${put.status}`);
    }

    let flooding = true;
    const timings: number[] = [];
    const worker = (async () => {
      while (flooding) {
        for (const path of ['/api/projects', `/api/projects/${project.id}/files`]) {
          const t0 = performance.now();
          const r = await fetch(gw.url + path, { headers: { authorization: `Bearer ${user.token}` } });
          await r.arrayBuffer();
          timings.push(performance.now() - t0);
          assert.equal(r.status, 200);
        }
      }
    })();

    const attempts = Array.from({ length: 64 }, (_, i) =>
      fetch(`${gw.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `guess${i % 8}`, password: `wrong-password-${i}` }),
      }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { error: { message: string } } })),
    );
    const answers = await Promise.all(attempts);
    flooding = false;
    await worker;

    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length >= 64 - 20, `${limited.length} of 64 logins were rate-limited`);
    for (const a of limited) {
      assert.match(a.retryAfter ?? '', /^\d+$/);
      assert.match(a.body.error.message, /try again/i);
    }
    assert.ok(answers.every((a) => a.status === 401 || a.status === 429), `statuses: ${answers.map((a) => a.status).join(',')}`);
    assert.ok(timings.length >= 10, `only ${timings.length} requests ran during the flood`);
    assert.ok(p99(timings) < P99_BOUND_MS, `p99 ${p99(timings).toFixed(1)} ms over ${timings.length} requests (max ${Math.max(...timings).toFixed(1)} ms)`);
  });
});

describe('failed logins for one username', () => {
  let gw: TestGateway;
  before(async () => (gw = await startGateway()));
  after(() => gw.close());

  test('back off: after a few failures in a row the next attempt must wait', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await gw.api('POST', '/api/auth/login', { body: { username: 'admin', password: `not-it-${i}` } });
      answers.push(r.status);
      if (r.status === 429) {
        assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
        assert.match(r.body.error.message, /failed sign-ins for this account/);
      }
    }
    assert.ok(answers.includes(429), `answers: ${answers.join(',')}`);
  });
});

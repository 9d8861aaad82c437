import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { redactText } from './redact';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('redactText', () => {
  test('removes a token from a URL query, a Bearer header, the session cookie and bare JWTs', () => {
    assert.equal(redactText('/api/build/p?after=2&token=abc.def.ghi&x=1'), '/api/build/p?after=2&token=[REDACTED]&x=1');
    assert.equal(redactText('/api/events?ticket=abc.def.ghi'), '/api/events?ticket=[REDACTED]');
    assert.equal(redactText('Authorization: Bearer abc.def'), 'Authorization: Bearer [REDACTED]');
    assert.equal(redactText('cookie: a=1; portico_session=xyz; b=2'), 'cookie: a=1; portico_session=[REDACTED]; b=2');
    assert.equal(redactText(`saw ${JWT} here`), 'saw [REDACTED] here');
  });
});

describe('logger', () => {
  test('no token survives in any field or message', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
    const log = createLogger('info', sink);
    log.info({ url: `/api/events?token=${JWT}`, token: JWT, headers: { authorization: `Bearer ${JWT}`, cookie: `portico_session=${JWT}` } }, `opened with ${JWT}`);
    log.error({ err: new Error(`upstream said ${JWT}`) }, 'failed');
    await new Promise((r) => setImmediate(r));
    const all = lines.join('');
    assert.ok(lines.length >= 2);
    assert.ok(!all.includes(JWT.split('.')[2]), all);
    assert.match(all, /token=\[REDACTED\]/);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCookie, upgradeToken, withoutCookie } from './request-token';

test('an upgrade token comes from ?token=, then the cookie, then Authorization', () => {
  const q = (s: string) => new URLSearchParams(s);
  assert.deepEqual(upgradeToken(q('token=A'), { cookie: 'portico_session=B', authorization: 'Bearer C' }), { token: 'A', source: 'query' });
  assert.deepEqual(upgradeToken(q(''), { cookie: 'x=1; portico_session=B', authorization: 'Bearer C' }), { token: 'B', source: 'cookie' });
  assert.deepEqual(upgradeToken(q(''), { authorization: 'Bearer C' }), { token: 'C', source: 'header' });
  assert.equal(upgradeToken(q(''), {}), null);
});

test('cookies are read and removed one at a time', () => {
  assert.equal(readCookie('a=1; portico_session=tok; b=2', 'portico_session'), 'tok');
  assert.equal(readCookie('portico_sessionx=1', 'portico_session'), undefined);
  assert.equal(withoutCookie('a=1; portico_session=tok; b=2', 'portico_session'), 'a=1; b=2');
  assert.equal(withoutCookie('portico_session=tok', 'portico_session'), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCookie, upgradeToken, withoutCookie } from './request-token';

test('an upgrade credential is a ticket first, then Authorization, then ?token=, then the cookie', () => {
  const q = (s: string) => new URLSearchParams(s);
  const all = { cookie: 'portico_session=B', authorization: 'Bearer C' };
  assert.deepEqual(upgradeToken(q('ticket=T&token=A'), all), { token: 'T', source: 'ticket' });
  assert.deepEqual(upgradeToken(q('token=A'), all), { token: 'C', source: 'header' });
  assert.deepEqual(upgradeToken(q('token=A'), { cookie: 'portico_session=B' }), { token: 'A', source: 'query' });
  assert.deepEqual(upgradeToken(q(''), { cookie: 'x=1; portico_session=B' }), { token: 'B', source: 'cookie' });
  assert.equal(upgradeToken(q(''), {}), null);
});

test('cookies are read and removed one at a time', () => {
  assert.equal(readCookie('a=1; portico_session=tok; b=2', 'portico_session'), 'tok');
  assert.equal(readCookie('portico_sessionx=1', 'portico_session'), undefined);
  assert.equal(withoutCookie('a=1; portico_session=tok; b=2', 'portico_session'), 'a=1; b=2');
  assert.equal(withoutCookie('portico_session=tok', 'portico_session'), undefined);
});

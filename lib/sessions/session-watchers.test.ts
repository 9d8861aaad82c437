import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSessionWatchers } from './session-watchers';

const closer = (log: string[], name: string) => async (code: number, reason: string) => void log.push(`${name} ${code} ${reason}`);

test('who is watching: one line per person (their first socket), the owner first, gone when their sockets are', () => {
  const w = createSessionWatchers();
  const log: string[] = [];
  const guest1 = w.add('s1', { userId: 'g', username: 'guest', access: 'view-only', since: 10, shareId: 'sh1' }, closer(log, 'g1'));
  const guest2 = w.add('s1', { userId: 'g', username: 'guest', access: 'view-only', since: 5, shareId: 'sh1' }, closer(log, 'g2'));
  const owner = w.add('s1', { userId: 'o', username: 'owner', access: 'owner', since: 20, shareId: null }, closer(log, 'o'));
  w.add('s2', { userId: 'x', username: 'other', access: 'interactive', since: 1, shareId: 'sh2' }, closer(log, 'x'));
  assert.deepEqual(w.of('s1').map((x) => `${x.username}@${x.since}`), ['owner@20', 'guest@5']);
  assert.deepEqual(w.shareIds().sort(), ['sh1', 'sh2']);
  guest2();
  assert.deepEqual(w.of('s1').map((x) => `${x.username}@${x.since}`), ['owner@20', 'guest@10']);
  guest1();
  owner();
  assert.deepEqual(w.of('s1'), []);
  assert.deepEqual(w.shareIds(), ['sh2']);
});

test("closing a share closes only that link's sockets", () => {
  const w = createSessionWatchers();
  const log: string[] = [];
  w.add('s1', { userId: 'g', username: 'guest', access: 'view-only', since: 1, shareId: 'sh1' }, closer(log, 'guest'));
  w.add('s1', { userId: 'o', username: 'owner', access: 'owner', since: 1, shareId: null }, closer(log, 'owner'));
  w.add('s1', { userId: 'h', username: 'helper', access: 'interactive', since: 1, shareId: 'sh2' }, closer(log, 'helper'));
  assert.equal(w.closeShare('sh1', 4403, 'revoked'), 1);
  assert.deepEqual(log, ['guest 4403 revoked']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryLeases } from './leases';
import { createSocketSlots } from './socket-slots';
import { buildRoute } from './routes/build';
import type { AnyRoute } from './routes/route';

test("a route's own cap, the user's and the server's each refuse with 4429 and a reason; release is once only", () => {
  const leases = createMemoryLeases(3, 2);
  const slots = createSocketSlots(leases);
  const capped: AnyRoute = { ...buildRoute, name: 'capped', maxSockets: 1 };
  const a = slots.take(capped, 'u1');
  assert.ok(!('ok' in a));
  assert.deepEqual(slots.take(capped, 'u2'), { ok: false, code: 4429, reason: 'route capped is at its limit of 1 sockets' });
  const b = slots.take(buildRoute, 'u1');
  assert.ok(!('ok' in b));
  assert.deepEqual(slots.take(buildRoute, 'u1'), { ok: false, code: 4429, reason: 'too many sockets for this user' });
  assert.ok(!('ok' in slots.take(buildRoute, 'u2')));
  assert.deepEqual(slots.take(buildRoute, 'u3'), { ok: false, code: 4429, reason: 'server socket limit reached' });
  assert.deepEqual(slots.take(capped, 'address:203.0.113.9'), { ok: false, code: 4429, reason: 'route capped is at its limit of 1 sockets' });
  a.release();
  a.release();
  assert.equal(leases.countFor('u1'), 1, 'a second release gives nothing back twice');
  assert.ok(!('ok' in slots.take(capped, 'u3')), "the route's slot is free again");
  const perAddress = createSocketSlots(createMemoryLeases(10, 1));
  assert.ok(!('ok' in perAddress.take(buildRoute, 'address:203.0.113.9')));
  assert.deepEqual(perAddress.take(buildRoute, 'address:203.0.113.9'), { ok: false, code: 4429, reason: 'too many sockets from this address' });
});

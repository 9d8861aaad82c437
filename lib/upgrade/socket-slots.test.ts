import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryLeases } from './leases';
import { createSocketSlots } from './socket-slots';
import { buildRoute } from './routes/build';
import type { AnyRoute, Refusal } from './routes/route';
import type { Leases } from './leases';
import type { SocketSlot } from './socket-slots';

/** In-memory leases answer at once: the embedded path never waits a microtask. */
function now<T extends SocketSlot | Refusal>(taken: T | Promise<T>): T {
  assert.ok(!(taken instanceof Promise), 'memory leases answer synchronously');
  return taken as T;
}

test("a route's own cap, the user's and the server's each refuse with 4429 and a reason; release is once only", () => {
  const leases = createMemoryLeases(3, 2);
  const slots = createSocketSlots(leases);
  const capped: AnyRoute = { ...buildRoute, name: 'capped', maxSockets: 1 };
  const a = now(slots.take(capped, 'u1'));
  assert.ok(!('ok' in a));
  assert.deepEqual(slots.take(capped, 'u2'), { ok: false, code: 4429, reason: 'route capped is at its limit of 1 sockets' });
  const b = now(slots.take(buildRoute, 'u1'));
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

test('shared (async) leases: a route cap counts a take still waiting for its answer; an unreachable store refuses with 1013', async () => {
  const memory = createMemoryLeases(10, 10);
  let fail = false;
  // The interface as Redis leases present it: each answer a round trip away.
  const remote: Leases = {
    acquire: (id) => new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new Error('connection lost')) : resolve(memory.acquire(id) as null)), 5)),
    release: (id) => memory.release(id),
    countFor: (id) => memory.countFor(id),
    get total() {
      return memory.total;
    },
  };
  const slots = createSocketSlots(remote);
  const capped: AnyRoute = { ...buildRoute, name: 'capped', maxSockets: 1 };
  const first = slots.take(capped, 'u1');
  assert.ok(first instanceof Promise);
  assert.deepEqual(slots.take(capped, 'u2'), { ok: false, code: 4429, reason: 'route capped is at its limit of 1 sockets' });
  const slot = await first;
  assert.ok(!('ok' in slot));
  slot.release();
  fail = true;
  assert.deepEqual(await slots.take(capped, 'u3'), { ok: false, code: 1013, reason: 'socket limits unavailable' });
  fail = false;
  assert.ok(!('ok' in (await slots.take(capped, 'u3'))), 'a refused take gave its route slot back');
});

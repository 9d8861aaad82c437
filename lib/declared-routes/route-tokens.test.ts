import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jwtVerify } from 'jose';
import { createRouteTokens, deriveRouteKey, routeAudience, ROUTE_TOKEN_ISSUER } from './route-tokens';

const SECRET = 'x'.repeat(48);
const alice = { userId: 'u1', username: 'alice', role: 'user' as const };

test("a route token verifies with that route's key and audience only", async () => {
  const tokens = createRouteTokens(SECRET);
  const token = await tokens.mint('socket-io', alice);
  const { payload } = await jwtVerify(token, deriveRouteKey(SECRET, 'socket-io'), { issuer: ROUTE_TOKEN_ISSUER, audience: routeAudience('socket-io') });
  assert.equal(payload.sub, 'u1');
  assert.equal(payload.name, 'alice');
  assert.equal(payload.role, 'user');
  // Another route's key, or the session signing key itself, does not verify it.
  await assert.rejects(jwtVerify(token, deriveRouteKey(SECRET, 'other')));
  await assert.rejects(jwtVerify(token, new TextEncoder().encode(SECRET)));
  // Reused while young, per user and route.
  assert.equal(await tokens.mint('socket-io', alice), token);
  assert.notEqual(await tokens.mint('other', alice), token);
});

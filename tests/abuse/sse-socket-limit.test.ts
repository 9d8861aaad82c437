import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closed, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { buildWatcher } from '../helpers/build-client';

// Issue 10, point 9 (this part): Server-Sent Event streams cost the server what a socket does, yet they
// did not count against MAX_SOCKETS_PER_USER: one user could hold any number of them open. Now each
// stream holds a socket slot while it is open, and one past the limit is a 429 with a sentence.

describe('build event streams and the socket limit', () => {
  let gw: TestGateway;
  let user: { id: string; token: string };
  let projectId: string;

  before(async () => {
    // A slow offline build, so its event stream stays open while the test runs.
    gw = await startGateway({ MAX_SOCKETS_PER_USER: '2', OFFLINE_STREAM_DELAY_MS: '200' });
    user = await gw.createUser('streamer');
    projectId = (await gw.createProject(user.token)).id;
    const ws = gw.open(`/api/build/${projectId}?token=${user.token}`);
    const w = buildWatcher(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'start', prompt: 'a counter' }));
    await w.until(() => w.events().length > 0);
    ws.close();
    await closed(ws);
  });
  after(() => gw.close());

  const stream = async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${gw.url}/api/build/${projectId}/events`, { headers: { authorization: `Bearer ${user.token}` }, signal: ctrl.signal });
    return { res, close: () => ctrl.abort() };
  };

  test('a stream past MAX_SOCKETS_PER_USER is refused with 429 and a sentence, and a closed stream gives its slot back', async () => {
    const a = await stream();
    const b = await stream();
    assert.equal(a.res.status, 200);
    assert.equal(b.res.status, 200);

    const third = await stream();
    assert.equal(third.res.status, 429);
    const body = (await third.res.json()) as { error: { message: string } };
    assert.match(body.error.message, /Too many open connections/);
    // Streams and sockets share the one count.
    assert.equal((await closed(gw.open(`/api/build/${projectId}?token=${user.token}`))).code, 4429);

    a.close();
    b.close();
    for (const until = Date.now() + 3000; gw.portico.leases.countFor(user.id) > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(gw.portico.leases.countFor(user.id), 0, 'the slots of closed streams are released');
    const again = await stream();
    assert.equal(again.res.status, 200);
    again.close();
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildInfo, HelloMessage } from '../protocol/build';
import { applyHello, emptyView } from './build-view';
import { helloSupersedes } from './use-build-stream';

const info = (id: string, createdAt: number): BuildInfo => ({
  id,
  projectId: 'p1',
  prompt: 'a counter',
  status: 'running',
  provider: 'offline',
  summary: null,
  files: [],
  lastSeq: 0,
  createdAt,
  finishedAt: null,
  durationMs: null,
});
const hello = (build: BuildInfo | null): HelloMessage => ({ type: 'hello', build, provider: 'offline', lastSeq: 0 });

test('a hello from the slower of two streams never takes the panel back to an older build, or to none', () => {
  // A build started over HTTP is on screen; the event stream's hello, read before it existed, arrives late.
  const view = applyHello(emptyView(), hello(info('new', 2000)));
  assert.equal(helloSupersedes(hello(info('old', 1000)), view), false);
  assert.equal(helloSupersedes(hello(null), view), false);
});

test('a hello carries on the build on screen, moves to a newer one, and fills an empty panel', () => {
  const view = applyHello(emptyView(), hello(info('b1', 1000)));
  assert.equal(helloSupersedes(hello(info('b1', 1000)), view), true);
  assert.equal(helloSupersedes(hello(info('b2', 3000)), view), true);
  assert.equal(helloSupersedes(hello(null), emptyView()), true);
});

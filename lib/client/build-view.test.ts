import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BuildEvent, BuildEventBody, BuildInfo, HelloMessage } from '../build/protocol';
import { MAX_LOG_LINES, applyEvents, applyHello, emptyView, isRunning } from './build-view';

const info = (id: string, over: Partial<BuildInfo> = {}): BuildInfo => ({
  id,
  projectId: 'p1',
  prompt: 'a counter',
  status: 'running',
  provider: null,
  summary: null,
  files: [],
  lastSeq: 0,
  createdAt: 1000,
  finishedAt: null,
  durationMs: null,
  ...over,
});
const hello = (build: BuildInfo | null): HelloMessage => ({ type: 'hello', build, provider: 'offline', lastSeq: build?.lastSeq ?? 0 });
const ev = (buildId: string, seq: number, body: BuildEventBody): BuildEvent => ({ v: 1, buildId, seq, at: 1000 + seq, ...body }) as BuildEvent;
const log = (buildId: string, seq: number, text = `line ${seq}`) => ev(buildId, seq, { type: 'log', level: 'info', text });

describe('applyEvents', () => {
  test('applies each seq once: a replay that overlaps what is on screen adds nothing', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1), log('b1', 2), log('b1', 3)]);
    v = applyEvents(v, [log('b1', 2), log('b1', 3), log('b1', 4)]);
    assert.deepEqual(v.log.map((l) => l.seq), [1, 2, 3, 4]);
    assert.equal(v.lastSeq, 4);
  });

  test('ignores events of another build', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b2', 1)]);
    assert.deepEqual(v.log, []);
  });

  test('folds stages, progress, output, files and the end into what the panel shows', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [
      ev('b1', 1, { type: 'stage', stage: 'plan', state: 'started' }),
      ev('b1', 2, { type: 'log', level: 'info', text: 'Provider: offline — built-in templates' }),
      ev('b1', 3, { type: 'stage', stage: 'plan', state: 'done' }),
      ev('b1', 4, { type: 'progress', percent: 60, message: 'Generated' }),
      ev('b1', 5, { type: 'output', text: 'Hello ' }),
      ev('b1', 6, { type: 'output', text: 'world' }),
      ev('b1', 7, { type: 'file', path: 'index.html', bytes: 10, op: 'created' }),
      ev('b1', 8, { type: 'progress', percent: 100, message: 'Checked index.html' }),
    ]);
    assert.equal(isRunning(v), true);
    v = applyEvents(v, [ev('b1', 9, { type: 'done', status: 'succeeded', summary: 'Wrote 1 file.' })]);
    assert.deepEqual(v.stages, { plan: 'done', generate: 'pending', write: 'pending', verify: 'pending' });
    assert.equal(v.percent, 100);
    assert.equal(v.output, 'Hello world');
    assert.equal(v.provider, 'offline');
    assert.deepEqual(v.files, [{ path: 'index.html', bytes: 10, op: 'created' }]);
    assert.deepEqual(v.done, { status: 'succeeded', summary: 'Wrote 1 file.', at: 1009 });
    assert.equal(isRunning(v), false);
  });

  test(`keeps only the last ${MAX_LOG_LINES} log lines and counts the rest`, () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => log('b1', i + 1)));
    assert.equal(v.log.length, MAX_LOG_LINES);
    assert.equal(v.log[0].seq, 6);
    assert.equal(v.logDropped, 5);
  });
});

describe('applyHello', () => {
  test('the same build again (a reconnect) keeps what is on screen', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1)]);
    v = applyHello(v, hello(info('b1', { lastSeq: 1 })));
    assert.equal(v.log.length, 1);
    assert.equal(v.lastSeq, 1);
  });

  test('another build starts the view afresh', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1), ev('b1', 2, { type: 'done', status: 'failed', summary: 'no' })]);
    v = applyHello(v, hello(info('b2')));
    assert.equal(v.build?.id, 'b2');
    assert.deepEqual(v.log, []);
    assert.equal(v.done, null);
    assert.equal(v.lastSeq, 0);
  });
});

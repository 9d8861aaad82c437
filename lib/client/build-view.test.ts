import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BuildEvent, BuildEventBody, BuildInfo, HelloMessage } from '../protocol/build';
import { MAX_LINE_CHARS, MAX_LOG_LINES, applyEvents, applyHello, emptyView, isRunning, openLine } from './build-view';
import { bookSize, lineAt } from './log-book';
import { findMatches, logGroups, logLines, openByDefault, waitingNote } from './log-model';

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
const texts = (v: ReturnType<typeof emptyView>) => Array.from({ length: bookSize(v.lines) }, (_, i) => lineAt(v.lines, i)!.text);
const seqs = (v: ReturnType<typeof emptyView>) => Array.from({ length: bookSize(v.lines) }, (_, i) => lineAt(v.lines, i)!.seq);

describe('applyEvents', () => {
  test('applies each seq once: a replay that overlaps what is on screen adds nothing', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1), log('b1', 2), log('b1', 3)]);
    v = applyEvents(v, [log('b1', 2), log('b1', 3), log('b1', 4)]);
    assert.deepEqual(seqs(v), [1, 2, 3, 4]);
    assert.equal(v.lastSeq, 4);
  });

  test('ignores events of another build', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b2', 1)]);
    assert.equal(bookSize(v.lines), 0);
  });

  test('folds stages, progress, output, files and the end into what the panel shows', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [
      ev('b1', 1, { type: 'stage', stage: 'plan', state: 'started' }),
      ev('b1', 2, { type: 'log', level: 'info', text: 'Provider: offline — built-in templates', provider: 'offline' }),
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
    assert.equal(openLine(v), null);
    assert.deepEqual(texts(v), ['Provider: offline — built-in templates', 'Hello world']);
    assert.equal(v.outputChars, 11);
    assert.equal(v.provider, 'offline');
    assert.deepEqual(v.files, [{ path: 'index.html', bytes: 10, op: 'created' }]);
    assert.deepEqual(v.done, { status: 'succeeded', summary: 'Wrote 1 file.', at: 1009 });
    assert.equal(isRunning(v), false);
  });

  test('takes the provider from the event that names it as data, never from a line of text', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [ev('b1', 1, { type: 'log', level: 'info', text: 'Provider: lookalike — a line the model wrote' })]);
    assert.equal(v.provider, 'offline');
    v = applyEvents(v, [ev('b1', 2, { type: 'log', level: 'info', text: 'Provider: openai — test-coder', provider: 'openai' })]);
    assert.equal(v.provider, 'openai');
  });

  test(`keeps only the last ${MAX_LOG_LINES} log lines and counts the rest`, () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => log('b1', i + 1)));
    assert.equal(bookSize(v.lines), MAX_LOG_LINES);
    assert.equal(lineAt(v.lines, 0)!.seq, 6);
    assert.equal(v.lines.dropped, 5);
  });
});

describe('the log of a long build', () => {
  test('an older view does not see lines appended after it (the book is shared, never rewritten)', () => {
    const base = applyEvents(applyHello(emptyView(), hello(info('b1'))), [log('b1', 1)]);
    const a = applyEvents(base, [log('b1', 2, 'a')]);
    const b = applyEvents(base, [log('b1', 2, 'b')]);
    assert.deepEqual(texts(base), ['line 1']);
    assert.deepEqual(texts(a), ['line 1', 'a']);
    assert.deepEqual(texts(b), ['line 1', 'b']);
  });

  test('100,000 lines fold one event at a time in seconds, not minutes (no copy of the log per line)', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    const t = performance.now();
    for (let i = 1; i <= MAX_LOG_LINES; i++) v = applyEvents(v, [ev('b1', i, { type: 'output', text: `const line${i} = ${i};\n` })]);
    assert.equal(bookSize(v.lines), MAX_LOG_LINES);
    assert.ok(performance.now() - t < 10_000, `took ${performance.now() - t} ms`);
  });

  test('a model line without a newline is shown as the open last line, cut at MAX_LINE_CHARS', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [ev('b1', 1, { type: 'output', text: 'x'.repeat(MAX_LINE_CHARS + 10) })]);
    assert.equal(bookSize(v.lines), 0);
    assert.equal(openLine(v)!.text, `${'x'.repeat(MAX_LINE_CHARS)}… (10 more characters)`);
    assert.equal(openLine(v)!.n, 1);
  });

  test('ANSI colour in a log line becomes runs over plain text', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1, '\x1b[31mred\x1b[0m plain')]);
    assert.equal(lineAt(v.lines, 0)!.text, 'red plain');
    assert.equal(lineAt(v.lines, 0)!.runs[0].style.fg, 31);
  });

  test('stage times, model stats and per-file progress', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [
      ev('b1', 1, { type: 'stage', stage: 'generate', state: 'started' }),
      ev('b1', 2, { type: 'stats', model: 'm', firstTokenMs: 800, tokens: 40, tokensPerSecond: 20, estimated: false }),
      ev('b1', 3, { type: 'file-progress', path: 'a.js', bytes: 10, state: 'streaming' }),
      ev('b1', 4, { type: 'file-progress', path: 'a.js', bytes: 30, state: 'complete' }),
      ev('b1', 5, { type: 'stage', stage: 'generate', state: 'done' }),
    ]);
    assert.deepEqual(v.stageTimes.generate, { startedAt: 1001, endedAt: 1005 });
    assert.equal(v.stats?.tokensPerSecond, 20);
    assert.deepEqual(v.fileProgress, [{ path: 'a.js', bytes: 30, state: 'complete' }]);
  });
});

describe('log groups and search', () => {
  const built = () =>
    applyEvents(applyHello(emptyView(), hello(info('b1'))), [
      ev('b1', 1, { type: 'stage', stage: 'plan', state: 'started' }),
      log('b1', 2, 'Prompt: a clock'),
      ev('b1', 3, { type: 'stage', stage: 'plan', state: 'done' }),
      ev('b1', 4, { type: 'stage', stage: 'generate', state: 'started' }),
      ev('b1', 5, { type: 'output', text: 'Clock clock\nno\nCLOCK' }),
    ]);

  test('one group per stage, each a range of lines; the running one open, the done one closed', () => {
    const v = built();
    const groups = logGroups(v);
    assert.deepEqual(groups.map((g) => [g.key, g.from, g.count]), [['plan', 0, 1], ['generate', 1, 3], ['write', 4, 0], ['verify', 4, 0]]);
    assert.deepEqual(groups.map((g) => openByDefault(groups, g)), [false, true, false, false]);
  });

  test('search finds every occurrence, case-insensitive, the open line included', () => {
    const v = built();
    const { matches } = findMatches(logLines(v), 'clock');
    assert.deepEqual(matches, [{ index: 0, from: 10 }, { index: 1, from: 0 }, { index: 1, from: 6 }, { index: 3, from: 0 }]);
  });
});

test('the generate group says how long it has waited for the model, until the first text', () => {
  let v = applyHello(emptyView(), hello(info('b1')));
  v = applyEvents(v, [ev('b1', 1, { type: 'stage', stage: 'generate', state: 'started' })]);
  assert.equal(waitingNote(v, 1001 + 12_400), 'Waiting for the model… 12 s');
  v = applyEvents(v, [ev('b1', 2, { type: 'log', level: 'warn', text: 'The model has sent nothing for 30 s.' })]);
  assert.equal(waitingNote(v, 1001 + 31_000), 'Waiting for the model… 31 s');
  v = applyEvents(v, [ev('b1', 3, { type: 'output', text: 'Here' })]);
  assert.equal(waitingNote(v, 1001 + 32_000), null);
});

describe('applyHello', () => {
  test('the same build again (a reconnect) keeps what is on screen', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1)]);
    v = applyHello(v, hello(info('b1', { lastSeq: 1 })));
    assert.equal(bookSize(v.lines), 1);
    assert.equal(v.lastSeq, 1);
  });

  test('another build starts the view afresh', () => {
    let v = applyHello(emptyView(), hello(info('b1')));
    v = applyEvents(v, [log('b1', 1), ev('b1', 2, { type: 'done', status: 'failed', summary: 'no' })]);
    v = applyHello(v, hello(info('b2')));
    assert.equal(v.build?.id, 'b2');
    assert.equal(bookSize(v.lines), 0);
    assert.equal(v.done, null);
    assert.equal(v.lastSeq, 0);
  });
});

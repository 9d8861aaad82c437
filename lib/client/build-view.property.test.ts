import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { STAGES, type BuildEvent, type BuildEventBody, type BuildInfo, type HelloMessage } from '../protocol/build';
import { MAX_LOG_CHARS, MAX_LOG_LINES, applyEvents, applyHello, emptyView, isRunning, type BuildView } from './build-view';

// Every message sequence the build stream can deliver folds into a view the panel can render (issue 11,
// point 2): `done` before anything else, a hello with no build, a build row from before `files` was
// always a list, replays that overlap, events of another build, reconnects in the middle.

const BUILD_IDS = ['b1', 'b2'];

const buildInfo: fc.Arbitrary<BuildInfo> = fc.record({
  id: fc.constantFrom(...BUILD_IDS),
  projectId: fc.constant('p1'),
  prompt: fc.string({ maxLength: 40 }),
  status: fc.constantFrom('running', 'succeeded', 'failed', 'cancelled'),
  provider: fc.option(fc.constantFrom('offline', 'openai', 'auto')),
  summary: fc.option(fc.string({ maxLength: 40 })),
  // An old row: `files` null or missing altogether, as well as the lists the server sends today.
  files: fc.oneof(fc.array(fc.record({ path: fc.string({ minLength: 1, maxLength: 12 }), bytes: fc.nat() }), { maxLength: 3 }), fc.constant(null), fc.constant(undefined)),
  lastSeq: fc.nat({ max: 30 }),
  createdAt: fc.nat(),
  finishedAt: fc.option(fc.nat()),
  durationMs: fc.option(fc.nat()),
}) as unknown as fc.Arbitrary<BuildInfo>;

const hello: fc.Arbitrary<HelloMessage> = fc.record({
  type: fc.constant('hello' as const),
  build: fc.option(buildInfo),
  provider: fc.constantFrom('offline', 'openai', 'auto'),
  lastSeq: fc.nat({ max: 30 }),
});

const body: fc.Arbitrary<BuildEventBody> = fc.oneof(
  fc.record({ type: fc.constant('stage' as const), stage: fc.constantFrom(...STAGES), state: fc.constantFrom('started', 'done', 'failed', 'cancelled') }),
  fc.record({ type: fc.constant('progress' as const), percent: fc.integer({ min: -10, max: 150 }), message: fc.string({ maxLength: 20 }) }),
  fc.record({ type: fc.constant('log' as const), level: fc.constantFrom('info', 'warn', 'error'), text: fc.string({ maxLength: 30 }) }),
  fc.record({ type: fc.constant('output' as const), text: fc.string({ maxLength: 30 }) }),
  fc.record({ type: fc.constant('file' as const), path: fc.constantFrom('index.html', 'app.js'), bytes: fc.nat(), op: fc.constantFrom('created', 'updated') }),
  fc.record({ type: fc.constant('file-progress' as const), path: fc.constantFrom('index.html', 'app.js'), bytes: fc.nat(), state: fc.constantFrom('streaming', 'complete') }),
  fc.record({
    type: fc.constant('stats' as const),
    model: fc.string({ maxLength: 10 }),
    firstTokenMs: fc.option(fc.nat()),
    tokens: fc.nat(),
    tokensPerSecond: fc.option(fc.double({ min: 0, max: 500, noNaN: true })),
    estimated: fc.boolean(),
  }),
  fc.record({ type: fc.constant('done' as const), status: fc.constantFrom('succeeded', 'failed', 'cancelled'), summary: fc.string({ maxLength: 40 }) }),
) as fc.Arbitrary<BuildEventBody>;

const event: fc.Arbitrary<BuildEvent> = fc
  .tuple(fc.constantFrom(...BUILD_IDS), fc.integer({ min: 1, max: 30 }), fc.nat(), body)
  .map(([buildId, seq, at, b]) => ({ v: 1, buildId, seq, at, ...b }) as BuildEvent);

type Message = { kind: 'hello'; hello: HelloMessage } | { kind: 'events'; events: BuildEvent[] };
const message: fc.Arbitrary<Message> = fc.oneof(
  { weight: 1, arbitrary: hello.map((h) => ({ kind: 'hello' as const, hello: h })) },
  { weight: 4, arbitrary: fc.array(event, { maxLength: 6 }).map((events) => ({ kind: 'events' as const, events })) },
);

/** What the panel reads of a view; each of these must hold for it to render. */
function assertRenderable(v: BuildView): void {
  assert.ok(v.lines.end - v.lines.start <= MAX_LOG_LINES && v.lines.chars <= MAX_LOG_CHARS);
  assert.ok(Array.isArray(v.files));
  assert.ok(Number.isFinite(v.outputChars) && v.outputChars >= 0);
  assert.ok(v.percent >= 0 && v.percent <= 100);
  for (const s of STAGES) assert.equal(typeof v.stages[s], 'string');
  if (v.build) {
    assert.ok(Array.isArray(v.build.files), 'the build always has a list of files');
    assert.equal(typeof v.build.createdAt, 'number');
  }
  if (v.done) {
    assert.equal(v.build?.status, v.done.status, 'an ended build says how it ended');
    assert.equal(isRunning(v), false);
  }
}

test('any sequence of hellos and events folds into a view the panel can render', () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 25 }), (messages) => {
      let v = emptyView();
      for (const m of messages) {
        const before = v;
        v = m.kind === 'hello' ? applyHello(v, m.hello) : applyEvents(v, m.events);
        assertRenderable(v);
        // Within one build, what is on screen only moves forward: nothing is applied twice.
        if (m.kind === 'events' && before.build && v.build?.id === before.build.id) assert.ok(v.lastSeq >= before.lastSeq);
      }
    }),
    { numRuns: 500 },
  );
});

test('a build that fails before any other event renders its failure sentence', () => {
  const oldRow = { id: 'b1', projectId: 'p1', prompt: 'a weather dashboard', status: 'running', provider: null, summary: null, files: null, lastSeq: 0, createdAt: 1, finishedAt: null, durationMs: null };
  let v = applyHello(emptyView(), { type: 'hello', build: oldRow as unknown as BuildInfo, provider: 'openai', lastSeq: 0 });
  v = applyEvents(v, [{ v: 1, buildId: 'b1', seq: 1, at: 5, type: 'done', status: 'failed', summary: 'The model server is unreachable.' }]);
  assertRenderable(v);
  assert.equal(v.done?.summary, 'The model server is unreachable.');
  assert.deepEqual(v.build?.files, []);
});

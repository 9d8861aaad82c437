import { STAGES, type BuildEvent, type BuildInfo, type BuildOutcome, type HelloMessage, type Stage } from '../build/protocol';

// What the PromptPanel shows of one build, folded from the build stream's messages. Pure: the hook
// feeds it, tests can too. Events are applied once each, in seq order; anything at or below the last
// seq seen is a duplicate (a replay that overlapped) and is dropped.

export type StageView = 'pending' | 'started' | 'done' | 'failed' | 'cancelled';
export type LogLine = { seq: number; at: number; level: 'info' | 'warn' | 'error'; text: string };
export type WrittenFile = { path: string; bytes: number; op: 'created' | 'updated' };

export type BuildView = {
  build: BuildInfo | null;
  /** The provider the server named in hello (the build's own, or the one a new build would use). */
  provider: string | null;
  lastSeq: number;
  stages: Record<Stage, StageView>;
  percent: number;
  progressMessage: string;
  log: LogLine[];
  /** How many log lines were dropped from the front to stay under MAX_LOG_LINES. */
  logDropped: number;
  output: string;
  files: WrittenFile[];
  done: { status: BuildOutcome; summary: string; at: number } | null;
};

// Bounds on what one page keeps in memory: a long build cannot grow the tab without limit.
export const MAX_LOG_LINES = 2000;
export const MAX_OUTPUT_CHARS = 200_000;

const pendingStages = (): Record<Stage, StageView> => Object.fromEntries(STAGES.map((s) => [s, 'pending'])) as Record<Stage, StageView>;

export const emptyView = (): BuildView => ({
  build: null,
  provider: null,
  lastSeq: 0,
  stages: pendingStages(),
  percent: 0,
  progressMessage: '',
  log: [],
  logDropped: 0,
  output: '',
  files: [],
  done: null,
});

/** A hello: the same build carries on (a reconnect); another build (or none) starts the view afresh. */
export function applyHello(view: BuildView, hello: HelloMessage): BuildView {
  const build = hello.build ? withFiles(hello.build) : null;
  const id = build?.id ?? null;
  if (build && id === view.build?.id) {
    // The row a reconnect's hello was read from can lag the `done` already on screen (the end is recorded
    // after its event): the event is the newer word on how the build ended.
    const current = view.done ? { ...build, status: view.done.status, summary: view.done.summary } : build;
    return { ...view, build: current, provider: current.provider ?? hello.provider };
  }
  return { ...emptyView(), build, provider: build?.provider ?? hello.provider };
}

// Rows written before `files` was always a list carry null (or nothing): the panel reads `.length`.
function withFiles(build: BuildInfo): BuildInfo {
  return Array.isArray(build.files) ? build : { ...build, files: [] };
}

export function applyEvents(view: BuildView, events: BuildEvent[]): BuildView {
  let next = view;
  for (const e of events) next = applyEvent(next, e);
  return next;
}

function applyEvent(view: BuildView, e: BuildEvent): BuildView {
  if (!view.build || e.buildId !== view.build.id || e.seq <= view.lastSeq) return view;
  const v: BuildView = { ...view, lastSeq: e.seq };
  switch (e.type) {
    case 'stage':
      v.stages = { ...v.stages, [e.stage]: e.state };
      break;
    case 'progress':
      v.percent = Math.max(v.percent, Math.min(100, e.percent));
      v.progressMessage = e.message;
      break;
    case 'log': {
      const log = [...v.log, { seq: e.seq, at: e.at, level: e.level, text: e.text }];
      const over = log.length - MAX_LOG_LINES;
      v.log = over > 0 ? log.slice(over) : log;
      v.logDropped += Math.max(0, over);
      const provider = /^Provider: ([^\s—]+)/.exec(e.text);
      if (provider) v.provider = provider[1];
      break;
    }
    case 'output': {
      const output = v.output + e.text;
      v.output = output.length > MAX_OUTPUT_CHARS ? output.slice(output.length - MAX_OUTPUT_CHARS) : output;
      break;
    }
    case 'file':
      v.files = [...v.files.filter((f) => f.path !== e.path), { path: e.path, bytes: e.bytes, op: e.op }];
      break;
    case 'done':
      v.done = { status: e.status, summary: e.summary, at: e.at };
      v.build = { ...v.build!, status: e.status, summary: e.summary };
      break;
  }
  return v;
}

export function isRunning(view: BuildView): boolean {
  return view.build?.status === 'running' && !view.done;
}

import { cutLines, newCutter, type LineCutter } from '../protocol/log-lines';
import { STAGES, type BuildEvent, type BuildEventBody, type BuildInfo, type BuildOutcome, type HelloMessage, type Stage } from '../protocol/build';
import { appendLines, emptyBook, toLogLine, MAX_LINE_CHARS, type LogBook, type LogLine } from './log-book';

// What the PromptPanel shows of one build, folded from the build stream's messages. Pure: the hook
// feeds it, tests can too. Events are applied once each, in seq order; anything at or below the last
// seq seen is a duplicate (a replay that overlapped) and is dropped.

export type StageView = 'pending' | 'started' | 'done' | 'failed' | 'cancelled';
export type WrittenFile = { path: string; bytes: number; op: 'created' | 'updated' };
export type { LogLine } from './log-book';
export { MAX_LOG_LINES, MAX_LINE_CHARS, MAX_LOG_CHARS } from './log-book';

/** When a stage started and ended (its `stage` events' `at`), for the durations in the log. */
export type StageTime = { startedAt: number | null; endedAt: number | null };
/** The model's figures from the latest `stats` event (openai builds). */
export type ModelStats = Omit<Extract<BuildEventBody, { type: 'stats' }>, 'type'> & { at: number };
/** A file as the model writes it (`file-progress`). */
export type FileProgress = { path: string; bytes: number; state: 'streaming' | 'complete' };

export type BuildView = {
  build: BuildInfo | null;
  /** The provider the server named in hello (the build's own, or the one a new build would use). */
  provider: string | null;
  lastSeq: number;
  stages: Record<Stage, StageView>;
  stageTimes: Record<Stage, StageTime>;
  percent: number;
  progressMessage: string;
  /** The log: `log` lines and the model's text cut into lines (lib/build/log-lines.ts), capped. */
  lines: LogBook;
  /** Where line cutting stands; its `open` line (the model's, no newline yet) is shown last. */
  cutter: LineCutter;
  /** Characters of model text received (the text itself is in `lines`). */
  outputChars: number;
  stats: ModelStats | null;
  fileProgress: FileProgress[];
  files: WrittenFile[];
  done: { status: BuildOutcome; summary: string; at: number } | null;
};

// A build writes at most 50 files (pipeline.ts); this bounds the list whatever the events say.
const MAX_FILE_PROGRESS = 200;

const pendingStages = (): Record<Stage, StageView> => Object.fromEntries(STAGES.map((s) => [s, 'pending'])) as Record<Stage, StageView>;
const noStageTimes = (): Record<Stage, StageTime> => Object.fromEntries(STAGES.map((s) => [s, { startedAt: null, endedAt: null }])) as Record<Stage, StageTime>;

export const emptyView = (): BuildView => ({
  build: null,
  provider: null,
  lastSeq: 0,
  stages: pendingStages(),
  stageTimes: noStageTimes(),
  percent: 0,
  progressMessage: '',
  lines: emptyBook(),
  cutter: newCutter(),
  outputChars: 0,
  stats: null,
  fileProgress: [],
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
  const cut: LogLine[] = [];
  v.cutter = cutLines(v.cutter, e, (line) => cut.push(toLogLine(line)), MAX_LINE_CHARS);
  if (cut.length) v.lines = appendLines(v.lines, cut);
  switch (e.type) {
    case 'stage': {
      v.stages = { ...v.stages, [e.stage]: e.state };
      const t = v.stageTimes[e.stage];
      v.stageTimes = { ...v.stageTimes, [e.stage]: e.state === 'started' ? { startedAt: e.at, endedAt: null } : { startedAt: t.startedAt, endedAt: e.at } };
      break;
    }
    case 'progress':
      v.percent = Math.max(v.percent, Math.min(100, e.percent));
      v.progressMessage = e.message;
      break;
    case 'log':
      if (e.provider) v.provider = e.provider;
      break;
    case 'output':
      v.outputChars += e.text.length;
      break;
    case 'stats': {
      const { type: _type, v: _v, buildId: _b, seq: _s, ...stats } = e;
      v.stats = stats;
      break;
    }
    case 'file-progress': {
      const rest = v.fileProgress.filter((f) => f.path !== e.path);
      v.fileProgress = [...rest, { path: e.path, bytes: e.bytes, state: e.state }].slice(-MAX_FILE_PROGRESS);
      break;
    }
    case 'file':
      v.files = [...v.files.filter((f) => f.path !== e.path), { path: e.path, bytes: e.bytes, op: e.op }];
      break;
    case 'done':
      v.done = { status: e.status, summary: e.summary, at: e.at };
      v.build = { ...v.build!, status: e.status, summary: e.summary };
      // A stage still marked running when the build ended stopped with it.
      for (const s of STAGES) if (v.stageTimes[s].startedAt !== null && v.stageTimes[s].endedAt === null) v.stageTimes = { ...v.stageTimes, [s]: { ...v.stageTimes[s], endedAt: e.at } };
      break;
  }
  return v;
}

/** The model's line still being written, numbered as the line it will become. */
export function openLine(view: BuildView): LogLine | null {
  const { open, openCut, count } = view.cutter;
  return open ? toLogLine({ ...open, n: count + 1, text: openCut ? `${open.text}… (${openCut} more characters)` : open.text }) : null;
}

export function isRunning(view: BuildView): boolean {
  return view.build?.status === 'running' && !view.done;
}

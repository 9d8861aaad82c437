import fs from 'node:fs/promises';
import path from 'node:path';
import type { EventLog } from './event-log';
import { createFileProgress } from './file-progress';
import type { BuildEventBody, BuildOutcome, Stage } from '../protocol/build';
import type { GeneratedFile, ModelProvider } from './providers/provider';
import { PathError, cleanRelativePath, resolveInside, writeWorkspaceFile } from './workspace';
import { verifyFile } from './verify';
import { formatBytes } from '../protocol/format-units';

// plan → generate → write → verify, each stage announced, every step an event in the build's log.
// A build writes and verifies in its own folder (`outputDir`, build-output.ts); only when verify passes
// are its files put into the project's workspace, so a cancelled or failed build leaves the project as
// it was. The pipeline never throws: whatever happens ends in one `done` event with a summary a person
// can read.

export type PipelineInput = {
  buildId: string;
  prompt: string;
  provider: ModelProvider;
  /** The project's files: what a build that passes verify replaces (files it did not write stay). */
  workspace: string;
  /** This build's own folder: where it writes and verifies, kept afterwards for history and inspection. */
  outputDir: string;
  log: EventLog;
  signal: AbortSignal;
  /**
   * Holds `bytes` of the owner's storage quota for a write, or throws a sentence when they do not fit;
   * the returned function lets go once the files are on disk (or not).
   */
  reserveStorage?(bytes: number): Promise<() => void>;
  /**
   * Runs right before the `done` event: whoever sees `done` may start the next build at once, so the
   * build's record and the project's one-build slot must already say it ended.
   */
  beforeDone?(result: PipelineResult): Promise<void>;
};

export type PipelineResult = { status: BuildOutcome; summary: string; files: { path: string; bytes: number }[] };

const MAX_FILES = 50;
const MAX_FILE_BYTES = 1024 * 1024;
// Model text is sent in pieces of about this size, so a fast stream is not thousands of tiny events.
const OUTPUT_FLUSH_CHARS = 256;
const OUTPUT_FLUSH_MS = 50;

type Emit = (b: BuildEventBody) => Promise<unknown>;

export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { log, buildId, signal } = input;
  let stage: Stage | null = null;
  const written: { path: string; bytes: number }[] = [];
  const emit: Emit = (body) => log.append(buildId, body);
  const enter = async (s: Stage) => {
    stage = s;
    await emit({ type: 'stage', stage: s, state: 'started' });
  };
  const leave = async (s: Stage) => {
    stage = null;
    await emit({ type: 'stage', stage: s, state: 'done' });
  };
  const finish = async (result: PipelineResult): Promise<PipelineResult> => {
    await input.beforeDone?.(result);
    await emit({ type: 'done', status: result.status, summary: result.summary });
    return result;
  };
  const fail = async (summary: string, status: BuildOutcome = 'failed'): Promise<PipelineResult> => {
    if (stage) await emit({ type: 'stage', stage, state: status === 'cancelled' ? 'cancelled' : 'failed' });
    return finish({ status, summary, files: written });
  };

  try {
    await enter('plan');
    await emit({ type: 'log', level: 'info', text: `Prompt: ${input.prompt}` });
    await emit({ type: 'log', level: 'info', text: `Provider: ${input.provider.name} — ${input.provider.description}`, provider: input.provider.name });
    await emit({ type: 'progress', percent: 5, message: 'Planning the app' });
    await leave('plan');

    await enter('generate');
    await emit({ type: 'progress', percent: 10, message: `Generating with ${input.provider.name}` });
    const { files, note } = await generate(input, emit);
    await emit({ type: 'log', level: 'info', text: `The ${input.provider.name} provider produced ${files.length} file${files.length === 1 ? '' : 's'}.` });
    await emit({ type: 'progress', percent: 60, message: 'Generated' });
    await leave('generate');

    await enter('write');
    const problems = checkFiles(files);
    if (problems.length) {
      for (const p of problems) await emit({ type: 'log', level: 'error', text: p });
      return await fail(`Refused to write: ${problems[0]}`);
    }
    await emit({ type: 'log', level: 'info', text: "Writing into this build's own folder; the project's files change only once verify passes." });
    await withStorage(input, files, async () => {
      for (const [i, f] of files.entries()) {
        signal.throwIfAborted();
        const rel = cleanRelativePath(f.path);
        const target = await resolveInside(input.outputDir, rel);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, f.content);
        const bytes = Buffer.byteLength(f.content);
        written.push({ path: rel, bytes });
        const existing = await fs.lstat(path.join(input.workspace, rel)).catch(() => null);
        await emit({ type: 'file', path: rel, bytes, op: existing?.isFile() ? 'updated' : 'created' });
        await emit({ type: 'progress', percent: 60 + Math.round((20 * (i + 1)) / files.length), message: `Wrote ${rel}` });
      }
    });
    await leave('write');

    await enter('verify');
    const paths = new Set(written.map((w) => w.path));
    let errors = 0;
    for (const [i, f] of files.entries()) {
      const rel = written[i].path;
      for (const finding of await verifyFile(input.outputDir, rel, f.content, paths, signal)) {
        if (finding.level === 'error') errors++;
        await emit({ type: 'log', level: finding.level, text: finding.text });
      }
      await emit({ type: 'progress', percent: 80 + Math.round((18 * (i + 1)) / files.length), message: `Checked ${rel}` });
    }
    if (errors) {
      return await fail(`Verify found ${errors} problem${errors === 1 ? '' : 's'} in the ${written.length} files written; the project's files were left as they were.`);
    }
    signal.throwIfAborted();
    await apply(input, files, written);
    await emit({ type: 'log', level: 'info', text: `Verify passed: ${written.map((w) => w.path).join(', ')} are now the project's files.` });
    await emit({ type: 'progress', percent: 100, message: "Put into the project's files" });
    await leave('verify');

    const summary = `${note ? `${note} ` : ''}Wrote ${written.length} file${written.length === 1 ? '' : 's'} (${written.map((w) => w.path).join(', ')}); every check passed.`;
    return await finish({ status: 'succeeded', summary, files: written });
  } catch (err) {
    if (signal.aborted) return fail(String(signal.reason instanceof Error ? signal.reason.message : signal.reason ?? 'Cancelled.'), 'cancelled');
    if (err instanceof PathError) return fail(`Refused to write: ${err.message}`);
    const message = err instanceof Error ? err.message : String(err);
    await emit({ type: 'log', level: 'error', text: message }).catch(() => undefined);
    return fail(message);
  }
}

async function withStorage(input: PipelineInput, files: GeneratedFile[], write: () => Promise<void>): Promise<void> {
  const release = await input.reserveStorage?.(files.reduce((n, f) => n + Buffer.byteLength(f.content), 0));
  try {
    await write();
  } finally {
    release?.();
  }
}

/**
 * Puts a verified build's files into the project's workspace, one atomic rename each. Every target is
 * checked first, so a path the workspace cannot take (a folder of that name, a symlink) fails the build
 * before any file is replaced. Not cancellable once begun: half a build applied is worse than all of it.
 */
async function apply(input: PipelineInput, files: GeneratedFile[], written: { path: string }[]): Promise<void> {
  for (const w of written) await resolveInside(input.workspace, w.path);
  await withStorage(input, files, async () => {
    for (const [i, f] of files.entries()) await writeWorkspaceFile(input.workspace, written[i].path, f.content);
  });
}

async function generate(input: PipelineInput, emit: Emit): Promise<{ files: GeneratedFile[]; note?: string }> {
  let pending = '';
  let chars = 0;
  let timer: NodeJS.Timeout | null = null;
  // Everything said during generation goes out in the order it happened, one append after another.
  let chain: Promise<unknown> = Promise.resolve();
  const queue = (body: BuildEventBody) => {
    chain = chain.then(() => emit(body));
  };
  const progress = createFileProgress((p) => queue({ type: 'file-progress', ...p }));
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const text = pending;
    pending = '';
    // Progress creeps toward 55 % while text streams: the total length is unknown until the end.
    const percent = 10 + Math.round(45 * (1 - Math.exp(-chars / 4000)));
    queue({ type: 'output', text });
    progress.push(text);
    queue({ type: 'progress', percent, message: `Generating (${chars} characters)` });
  };
  try {
    const result = await input.provider.generate(input.prompt, {
      signal: input.signal,
      onText(text) {
        pending += text;
        chars += text.length;
        if (pending.length >= OUTPUT_FLUSH_CHARS) flush();
        else timer ??= setTimeout(flush, OUTPUT_FLUSH_MS);
      },
      onStats: (s) => queue({ type: 'stats', ...s }),
      onLog: (level, text) => queue({ type: 'log', level, text }),
    });
    flush();
    progress.end();
    await chain;
    return result;
  } catch (err) {
    flush();
    progress.end();
    await chain.catch(() => undefined);
    throw err;
  }
}

/** Every problem with the generated file list, as sentences; empty when all can be written. */
export function checkFiles(files: GeneratedFile[]): string[] {
  const problems: string[] = [];
  if (files.length === 0) problems.push('the provider produced no files.');
  if (files.length > MAX_FILES) problems.push(`the provider produced ${files.length} files; the limit is ${MAX_FILES}.`);
  const seen = new Set<string>();
  for (const f of files) {
    try {
      const clean = cleanRelativePath(f.path);
      if (seen.has(clean)) problems.push(`${clean} appears twice.`);
      seen.add(clean);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (Buffer.byteLength(f.content) > MAX_FILE_BYTES) problems.push(`${f.path} is larger than ${formatBytes(MAX_FILE_BYTES)}.`);
  }
  return problems;
}

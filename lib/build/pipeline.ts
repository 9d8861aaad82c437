import type { EventLog } from './event-log';
import type { BuildEventBody, BuildOutcome, Stage } from './protocol';
import type { GeneratedFile, ModelProvider } from './providers/provider';
import { PathError, cleanRelativePath, writeWorkspaceFile } from './workspace';
import { verifyFile } from './verify';

// plan → generate → write → verify, each stage announced, every step an event in the build's log.
// The pipeline never throws: whatever happens ends in one `done` event with a summary a person can read.

export type PipelineInput = {
  buildId: string;
  prompt: string;
  provider: ModelProvider;
  workspace: string;
  log: EventLog;
  signal: AbortSignal;
  /**
   * Holds `bytes` of the owner's storage quota for the write stage, or throws a sentence when they do not
   * fit; the returned function lets go once the files are on disk (or not).
   */
  reserveStorage?(bytes: number): Promise<() => void>;
};

export type PipelineResult = { status: BuildOutcome; summary: string; files: { path: string; bytes: number }[] };

const MAX_FILES = 50;
const MAX_FILE_BYTES = 1024 * 1024;
// Model text is sent in pieces of about this size, so a fast stream is not thousands of tiny events.
const OUTPUT_FLUSH_CHARS = 256;
const OUTPUT_FLUSH_MS = 50;

export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { log, buildId, signal } = input;
  let stage: Stage | null = null;
  const written: { path: string; bytes: number }[] = [];
  const emit = (body: BuildEventBody) => log.append(buildId, body);
  const enter = async (s: Stage) => {
    stage = s;
    await emit({ type: 'stage', stage: s, state: 'started' });
  };
  const leave = async (s: Stage) => {
    stage = null;
    await emit({ type: 'stage', stage: s, state: 'done' });
  };
  const fail = async (summary: string, status: BuildOutcome = 'failed'): Promise<PipelineResult> => {
    if (stage) await emit({ type: 'stage', stage, state: 'failed' });
    await emit({ type: 'done', status, summary });
    return { status, summary, files: written };
  };

  try {
    await enter('plan');
    await emit({ type: 'log', level: 'info', text: `Prompt: ${input.prompt}` });
    await emit({ type: 'log', level: 'info', text: `Provider: ${input.provider.name} — ${input.provider.description}` });
    await emit({ type: 'progress', percent: 5, message: 'Planning the app' });
    await leave('plan');

    await enter('generate');
    await emit({ type: 'progress', percent: 10, message: `Generating with ${input.provider.name}` });
    const files = await generate(input, emit);
    await emit({ type: 'log', level: 'info', text: `The ${input.provider.name} provider produced ${files.length} file${files.length === 1 ? '' : 's'}.` });
    await emit({ type: 'progress', percent: 60, message: 'Generated' });
    await leave('generate');

    await enter('write');
    const problems = checkFiles(files);
    if (problems.length) {
      for (const p of problems) await emit({ type: 'log', level: 'error', text: p });
      return await fail(`Refused to write: ${problems[0]}`);
    }
    const release = await input.reserveStorage?.(files.reduce((n, f) => n + Buffer.byteLength(f.content), 0));
    try {
      for (const [i, f] of files.entries()) {
        signal.throwIfAborted();
        const result = await writeWorkspaceFile(input.workspace, f.path, f.content);
        written.push({ path: result.path, bytes: result.bytes });
        await emit({ type: 'file', path: result.path, bytes: result.bytes, op: result.op });
        await emit({ type: 'progress', percent: 60 + Math.round((20 * (i + 1)) / files.length), message: `Wrote ${result.path}` });
      }
    } finally {
      release?.();
    }
    await leave('write');

    await enter('verify');
    const paths = new Set(written.map((w) => w.path));
    let errors = 0;
    for (const [i, f] of files.entries()) {
      const rel = written[i].path;
      for (const finding of await verifyFile(input.workspace, rel, f.content, paths, signal)) {
        if (finding.level === 'error') errors++;
        await emit({ type: 'log', level: finding.level, text: finding.text });
      }
      await emit({ type: 'progress', percent: 80 + Math.round((20 * (i + 1)) / files.length), message: `Checked ${rel}` });
    }
    if (errors) return await fail(`Verify found ${errors} problem${errors === 1 ? '' : 's'} in the ${written.length} files written.`);
    await leave('verify');

    const summary = `Wrote ${written.length} file${written.length === 1 ? '' : 's'} (${written.map((w) => w.path).join(', ')}); every check passed.`;
    await emit({ type: 'done', status: 'succeeded', summary });
    return { status: 'succeeded', summary, files: written };
  } catch (err) {
    if (signal.aborted) return fail(String(signal.reason instanceof Error ? signal.reason.message : signal.reason ?? 'Cancelled.'), 'cancelled');
    if (err instanceof PathError) return fail(`Refused to write: ${err.message}`);
    const message = err instanceof Error ? err.message : String(err);
    await emit({ type: 'log', level: 'error', text: message }).catch(() => undefined);
    return fail(message);
  }
}

async function generate(input: PipelineInput, emit: (b: BuildEventBody) => Promise<unknown>): Promise<GeneratedFile[]> {
  let pending = '';
  let chars = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const text = pending;
    pending = '';
    // Progress creeps toward 55 % while text streams: the total length is unknown until the end.
    const percent = 10 + Math.round(45 * (1 - Math.exp(-chars / 4000)));
    chain = chain.then(() => emit({ type: 'output', text })).then(() => emit({ type: 'progress', percent, message: `Generating (${chars} characters)` }));
  };
  try {
    const files = await input.provider.generate(input.prompt, {
      signal: input.signal,
      onText(text) {
        pending += text;
        chars += text.length;
        if (pending.length >= OUTPUT_FLUSH_CHARS) flush();
        else timer ??= setTimeout(flush, OUTPUT_FLUSH_MS);
      },
    });
    flush();
    await chain;
    return files;
  } catch (err) {
    flush();
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
    if (Buffer.byteLength(f.content) > MAX_FILE_BYTES) problems.push(`${f.path} is larger than ${MAX_FILE_BYTES} bytes.`);
  }
  return problems;
}

import { formatBytes } from '../../protocol/format-units';
import { FILE_FORMAT_INSTRUCTIONS, parseFileBlocks } from './file-blocks';
import { ProviderError, type GenerateOptions, type ModelProvider, type ModelStats } from './provider';
import { spokenDuration, watchSilence } from './silence-watch';

// Any OpenAI-compatible server: LM Studio, Ollama, vLLM, a llama.cpp server. `POST /chat/completions`
// with `stream: true`; the answer is Server-Sent Events of `choices[0].delta.content`, ended by
// `data: [DONE]`. A stream that stops before [DONE] is a failed generation, not a short one.
// A model that does not stop is stopped twice: it is asked for at most `maxTokens` (`max_tokens`), and a
// server that ignores that is cut off, and the build failed, past `maxOutputBytes` of text. A model that
// says nothing is warned about after `firstTokenTimeoutMs` and given up on after `idleTimeoutMs` of
// silence: the request is aborted, which closes the connection to the model server.

export type OpenAiOptions = {
  baseUrl: string;
  model?: string;
  apiKey?: string;
  maxTokens: number;
  maxOutputBytes: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
};

// Stats go out at most this often while text streams (issue 11: "at most once a second").
const STATS_INTERVAL_MS = 1000;
// Without usage from the server, tokens are estimated from text: about four characters per token.
const CHARS_PER_TOKEN = 4;

export function createOpenAiProvider(opts: OpenAiOptions): ModelProvider {
  const base = opts.baseUrl.replace(/\/$/, '');
  const model = opts.model ?? 'local-model';
  return {
    name: 'openai',
    description: `${model} at ${base}`,
    async generate(prompt: string, { signal, onText, onStats, onLog }: GenerateOptions) {
      const silence = new AbortController();
      const watch = watchSilence({
        warnAfterMs: opts.firstTokenTimeoutMs,
        stopAfterMs: opts.idleTimeoutMs,
        onWarn: (ms) =>
          onLog?.('warn', `The model has sent nothing for ${spokenDuration(ms)}; still waiting (LLM_IDLE_TIMEOUT_MS stops the build after ${spokenDuration(opts.idleTimeoutMs)} of silence).`),
        onStop: (ms, heard) =>
          silence.abort(
            new ProviderError(
              `The model sent nothing ${heard ? 'more ' : ''}for ${spokenDuration(ms)}; the build stopped. Check that ${model} is loaded and answering at ${base} (or raise LLM_IDLE_TIMEOUT_MS).`,
            ),
          ),
      });
      const both = AbortSignal.any([signal, silence.signal]);
      const startedAt = Date.now();
      try {
        const post = (withUsage: boolean) =>
          fetch(`${base}/chat/completions`, {
            method: 'POST',
            signal: both,
            headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
            body: JSON.stringify({
              model,
              stream: true,
              // The last chunk then carries `usage`: real token counts for the stats, not estimates.
              ...(withUsage ? { stream_options: { include_usage: true } } : {}),
              temperature: 0.2,
              max_tokens: opts.maxTokens,
              messages: [
                { role: 'system', content: `You build small, working static web apps.\n${FILE_FORMAT_INSTRUCTIONS}` },
                { role: 'user', content: prompt },
              ],
            }),
          });
        let res: Response;
        try {
          res = await post(true);
          // An older server that refuses `stream_options` by name is asked again without it: the build
          // matters more than exact token counts.
          if (res.status === 400 || res.status === 422) {
            const body = await res.text().catch(() => '');
            res = /stream_options/.test(body) ? await post(false) : new Response(body, { status: res.status });
          }
        } catch (err) {
          if (signal.aborted) throw err;
          if (silence.signal.aborted) throw silence.signal.reason;
          throw new ProviderError(`The model server at ${base} is unreachable (${causeOf(err)}).`);
        }
        if (!res.ok || !res.body) {
          const body = (await res.text().catch(() => '')).slice(0, 200);
          throw new ProviderError(`The model server answered HTTP ${res.status}${body ? `: ${body}` : ''}.`);
        }
        const stats = statsCounter(model, startedAt, onStats);
        const text = await readStream(res.body, {
          onText(t) {
            watch.heard();
            stats.text(t);
            onText(t);
          },
          onThinking: watch.heard,
          onUsage: stats.usage,
          signal: both,
          maxOutputBytes: opts.maxOutputBytes,
        }).catch((err) => {
          throw silence.signal.aborted && !signal.aborted ? silence.signal.reason : err;
        });
        stats.end();
        const files = parseFileBlocks(text);
        if (files.length === 0) throw new ProviderError('The model answered, but its reply held no files in the expected format.');
        return { files };
      } finally {
        watch.end();
      }
    },
  };
}

function statsCounter(model: string, startedAt: number, onStats: ((s: ModelStats) => void) | undefined) {
  let firstAt: number | null = null;
  let chars = 0;
  let sentAt = 0;
  let usageTokens: number | null = null;
  const send = () => {
    const now = Date.now();
    sentAt = now;
    const tokens = usageTokens ?? Math.round(chars / CHARS_PER_TOKEN);
    const seconds = firstAt === null ? 0 : (now - firstAt) / 1000;
    onStats?.({
      model,
      firstTokenMs: firstAt === null ? null : firstAt - startedAt,
      tokens,
      tokensPerSecond: seconds > 0.05 ? Math.round((tokens / seconds) * 10) / 10 : null,
      estimated: usageTokens === null,
    });
  };
  return {
    text(t: string) {
      chars += t.length;
      if (firstAt === null) {
        firstAt = Date.now();
        send();
      } else if (Date.now() - sentAt >= STATS_INTERVAL_MS) send();
    },
    usage(completionTokens: number) {
      usageTokens = completionTokens;
    },
    end: send,
  };
}

type StreamHandlers = { onText(t: string): void; onThinking(): void; onUsage(tokens: number): void; signal: AbortSignal; maxOutputBytes: number };

async function readStream(body: ReadableStream<Uint8Array>, h: StreamHandlers): Promise<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  let textBytes = 0;
  let done = false;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      // One endless line would grow the buffer past any cap on the text: bound it too.
      if (buffer.length > h.maxOutputBytes + 64 * 1024) throw new ProviderError(`The model server sent a line longer than ${formatBytes(h.maxOutputBytes)}; the build stopped there.`);
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') {
          done = true;
          break;
        }
        const { delta, thinking, completionTokens } = chunkOf(data);
        if (completionTokens !== null) h.onUsage(completionTokens);
        if (thinking) h.onThinking();
        if (delta) {
          textBytes += Buffer.byteLength(delta);
          if (textBytes > h.maxOutputBytes) {
            throw new ProviderError(`The model's reply passed ${formatBytes(h.maxOutputBytes)}, the most one build may produce (LLM_MAX_OUTPUT_BYTES); the build stopped there.`);
          }
          text += delta;
          h.onText(delta);
        }
      }
      if (done) break;
    }
  } catch (err) {
    if (h.signal.aborted || err instanceof ProviderError) throw err;
    throw new ProviderError(`The model stream broke off after ${text.length} characters (${causeOf(err)}).`);
  }
  if (!done) throw new ProviderError(`The model stream ended after ${text.length} characters without finishing.`);
  return text;
}

type Chunk = { choices?: { delta?: { content?: string; reasoning_content?: string; reasoning?: string } }[]; usage?: { completion_tokens?: unknown }; error?: { message?: string } };

function chunkOf(data: string): { delta: string | null; thinking: boolean; completionTokens: number | null } {
  let parsed: Chunk;
  try {
    parsed = JSON.parse(data) as Chunk;
  } catch {
    return { delta: null, thinking: false, completionTokens: null };
  }
  if (parsed?.error) throw new ProviderError(`The model server reported an error: ${parsed.error.message ?? 'unknown'}.`);
  const tokens = parsed?.usage?.completion_tokens;
  const d = parsed?.choices?.[0]?.delta;
  const content = d?.content;
  return {
    delta: typeof content === 'string' ? content : null,
    // A reasoning model thinks aloud in its own field before it writes: that is not silence.
    thinking: Boolean(d?.reasoning_content || d?.reasoning),
    completionTokens: typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 0 ? tokens : null,
  };
}

function causeOf(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** `LLM_PROVIDER=auto`: a model server counts as there when `GET /models` answers within 1 s. */
export async function modelServerAnswers(baseUrl: string, timeoutMs = 1000): Promise<{ ok: boolean; model?: string }> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/models`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { ok: false };
    const body = (await res.json().catch(() => null)) as { data?: { id?: string }[] } | null;
    return { ok: true, model: body?.data?.[0]?.id };
  } catch {
    return { ok: false };
  }
}

import { FILE_FORMAT_INSTRUCTIONS, parseFileBlocks } from './file-blocks';
import { ProviderError, type GenerateOptions, type ModelProvider } from './provider';

// Any OpenAI-compatible server: LM Studio, Ollama, vLLM, a llama.cpp server. `POST /chat/completions`
// with `stream: true`; the answer is Server-Sent Events of `choices[0].delta.content`, ended by
// `data: [DONE]`. A stream that stops before [DONE] is a failed generation, not a short one.
// A model that does not stop is stopped twice: it is asked for at most `maxTokens` (`max_tokens`), and a
// server that ignores that is cut off, and the build failed, past `maxOutputBytes` of text.

export type OpenAiOptions = { baseUrl: string; model?: string; apiKey?: string; maxTokens: number; maxOutputBytes: number };

export function createOpenAiProvider(opts: OpenAiOptions): ModelProvider {
  const base = opts.baseUrl.replace(/\/$/, '');
  const model = opts.model ?? 'local-model';
  return {
    name: 'openai',
    description: `${model} at ${base}`,
    async generate(prompt: string, { signal, onText }: GenerateOptions) {
      let res: Response;
      try {
        res = await fetch(`${base}/chat/completions`, {
          method: 'POST',
          signal,
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
          body: JSON.stringify({
            model,
            stream: true,
            temperature: 0.2,
            max_tokens: opts.maxTokens,
            messages: [
              { role: 'system', content: `You build small, working static web apps.\n${FILE_FORMAT_INSTRUCTIONS}` },
              { role: 'user', content: prompt },
            ],
          }),
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw new ProviderError(`The model server at ${base} is unreachable (${causeOf(err)}).`);
      }
      if (!res.ok || !res.body) {
        const body = (await res.text().catch(() => '')).slice(0, 200);
        throw new ProviderError(`The model server answered HTTP ${res.status}${body ? `: ${body}` : ''}.`);
      }
      const text = await readStream(res.body, onText, signal, opts.maxOutputBytes);
      const files = parseFileBlocks(text);
      if (files.length === 0) throw new ProviderError('The model answered, but its reply held no files in the expected format.');
      return files;
    },
  };
}

async function readStream(body: ReadableStream<Uint8Array>, onText: (t: string) => void, signal: AbortSignal, maxOutputBytes: number): Promise<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  let textBytes = 0;
  let done = false;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      // One endless line would grow the buffer past any cap on the text: bound it too.
      if (buffer.length > maxOutputBytes + 64 * 1024) throw new ProviderError(`The model server sent a line longer than ${maxOutputBytes} bytes; the build stopped there.`);
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
        const delta = deltaOf(data);
        if (delta) {
          textBytes += Buffer.byteLength(delta);
          if (textBytes > maxOutputBytes) {
            throw new ProviderError(`The model's reply passed ${maxOutputBytes} bytes, the most one build may produce (LLM_MAX_OUTPUT_BYTES); the build stopped there.`);
          }
          text += delta;
          onText(delta);
        }
      }
      if (done) break;
    }
  } catch (err) {
    if (signal.aborted || err instanceof ProviderError) throw err;
    throw new ProviderError(`The model stream broke off after ${text.length} characters (${causeOf(err)}).`);
  }
  if (!done) throw new ProviderError(`The model stream ended after ${text.length} characters without finishing.`);
  return text;
}

function deltaOf(data: string): string | null {
  try {
    const parsed = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: { message?: string } };
    if (parsed.error) throw new ProviderError(`The model server reported an error: ${parsed.error.message ?? 'unknown'}.`);
    return parsed.choices?.[0]?.delta?.content ?? null;
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    return null;
  }
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

import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelProvider } from './provider';
import { noFitSentence, pickTemplate, renderTemplate } from './offline-templates';

export { OFFLINE_CAPABILITIES } from './offline-templates';

// Builds from built-in templates when no model server is there. It streams the files it writes in the
// same format a model would, a chunk at a time, so the panel shows the same live output either way;
// `streamDelayMs` paces the chunks (0 = as fast as possible).

const CHUNK_CHARS = 48;

export function createOfflineProvider(streamDelayMs: number): ModelProvider {
  return {
    name: 'offline',
    description: 'built-in templates (no model server)',
    async generate(prompt, { signal, onText, onLog }) {
      const { template, score } = pickTemplate(prompt);
      const note = score > 0 ? undefined : noFitSentence(prompt);
      if (note) onLog?.('warn', note);
      const files = renderTemplate(template, prompt, note);
      onText(`Building a ${template.kind} from the built-in templates.\n`);
      for (const file of files) {
        const text = `--- file: ${file.path}\n${file.content}--- end\n`;
        for (let i = 0; i < text.length; i += CHUNK_CHARS) {
          signal.throwIfAborted();
          onText(text.slice(i, i + CHUNK_CHARS));
          if (streamDelayMs > 0) await sleep(streamDelayMs, undefined, { signal });
        }
      }
      return { files, note };
    },
  };
}

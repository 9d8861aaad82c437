// What the pipeline needs from a model: turn a prompt into files, streaming its text as it goes.

import type { BuildEventBody } from '../../protocol/build';

export type GeneratedFile = { path: string; content: string };

/** The files, and when the provider could not build what was asked, the sentence that says so. */
export type Generated = { files: GeneratedFile[]; note?: string };

export type ModelStats = Omit<Extract<BuildEventBody, { type: 'stats' }>, 'type'>;

export type GenerateOptions = {
  signal: AbortSignal;
  /** Text as the model produces it, for the panel's live output. */
  onText(text: string): void;
  /** How the model is doing (time to first token, tokens, speed), for the `stats` events. */
  onStats?(stats: ModelStats): void;
  /** Something the person watching should know while generation goes on (a silent model). */
  onLog?(level: 'info' | 'warn', text: string): void;
};

export interface ModelProvider {
  readonly name: 'openai' | 'offline';
  /** One line for the log: which model, where. */
  readonly description: string;
  generate(prompt: string, opts: GenerateOptions): Promise<Generated>;
}

export class ProviderError extends Error {}

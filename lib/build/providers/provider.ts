// What the pipeline needs from a model: turn a prompt into files, streaming its text as it goes.

export type GeneratedFile = { path: string; content: string };

export type GenerateOptions = {
  signal: AbortSignal;
  /** Text as the model produces it, for the panel's live output. */
  onText(text: string): void;
};

export interface ModelProvider {
  readonly name: 'openai' | 'offline';
  /** One line for the log: which model, where. */
  readonly description: string;
  generate(prompt: string, opts: GenerateOptions): Promise<GeneratedFile[]>;
}

export class ProviderError extends Error {}

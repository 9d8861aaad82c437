import { createOfflineProvider } from './offline';
import { createOpenAiProvider, modelServerAnswers } from './openai';
import type { ModelProvider } from './provider';

export type ProviderSettings = {
  llmProvider: 'auto' | 'openai' | 'offline';
  llmBaseUrl: string;
  llmModel: string | undefined;
  offlineStreamDelayMs: number;
  llmMaxTokens: number;
  llmMaxOutputBytes: number;
};

/** Picks the provider for one build; `auto` asks the model server first, so a server started later is used. */
export async function chooseProvider(s: ProviderSettings): Promise<ModelProvider> {
  if (s.llmProvider === 'offline') return createOfflineProvider(s.offlineStreamDelayMs);
  const caps = { maxTokens: s.llmMaxTokens, maxOutputBytes: s.llmMaxOutputBytes };
  if (s.llmProvider === 'openai') return createOpenAiProvider({ baseUrl: s.llmBaseUrl, model: s.llmModel, ...caps });
  const probe = await modelServerAnswers(s.llmBaseUrl);
  if (probe.ok) return createOpenAiProvider({ baseUrl: s.llmBaseUrl, model: s.llmModel ?? probe.model, ...caps });
  return createOfflineProvider(s.offlineStreamDelayMs);
}

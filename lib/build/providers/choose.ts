import type { ProviderInfo } from '../../protocol/build';
import { createOfflineProvider, OFFLINE_CAPABILITIES } from './offline';
import { createOpenAiProvider, modelServerAnswers } from './openai';
import type { ModelProvider } from './provider';

export type ProviderSettings = {
  llmProvider: 'auto' | 'openai' | 'offline';
  llmBaseUrl: string;
  llmModel: string | undefined;
  offlineStreamDelayMs: number;
  llmMaxTokens: number;
  llmMaxOutputBytes: number;
  llmFirstTokenTimeoutMs: number;
  llmIdleTimeoutMs: number;
};

/** Picks the provider for one build; `auto` asks the model server first, so a server started later is used. */
export async function chooseProvider(s: ProviderSettings): Promise<ModelProvider> {
  if (s.llmProvider === 'offline') return createOfflineProvider(s.offlineStreamDelayMs);
  const caps = { maxTokens: s.llmMaxTokens, maxOutputBytes: s.llmMaxOutputBytes, firstTokenTimeoutMs: s.llmFirstTokenTimeoutMs, idleTimeoutMs: s.llmIdleTimeoutMs };
  if (s.llmProvider === 'openai') return createOpenAiProvider({ baseUrl: s.llmBaseUrl, model: s.llmModel, ...caps });
  const probe = await modelServerAnswers(s.llmBaseUrl);
  if (probe.ok) return createOpenAiProvider({ baseUrl: s.llmBaseUrl, model: s.llmModel ?? probe.model, ...caps });
  return createOfflineProvider(s.offlineStreamDelayMs);
}

/**
 * What the next build will be built with, in words a person can act on (the hello's `providerInfo`).
 * Only the model server's host is named: its path and any credentials in the URL stay on the server.
 */
export function describeProvider(s: ProviderSettings): ProviderInfo {
  const host = hostOf(s.llmBaseUrl);
  const model = s.llmModel ?? null;
  const modelWords = model ? `the model ${model}` : 'the first model it lists';
  switch (s.llmProvider) {
    case 'offline':
      return { name: 'offline', model: null, capabilities: `Built-in templates, no model: ${OFFLINE_CAPABILITIES}` };
    case 'openai':
      return { name: 'openai', model, capabilities: `Builds what you describe with ${modelWords} on the model server at ${host}.` };
    case 'auto':
      return {
        name: 'auto',
        model,
        capabilities: `Builds with ${modelWords} on the model server at ${host} when it answers; otherwise with the built-in templates: ${OFFLINE_CAPABILITIES}`,
      };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unreadable address';
  }
}

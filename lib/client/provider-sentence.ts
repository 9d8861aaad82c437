import type { ProviderInfo } from '../protocol/build';

// What the prompt form says before the first build: which provider will build, and what it can do
// (issue 11, point 5). From the hello's `providerInfo`; a server that does not send it yet gets the old
// sentence with the provider's name.

export function providerSentence(info: ProviderInfo | null, provider: string | null): string | null {
  if (!info) return provider ? `Builds use the ${provider} provider.` : null;
  const detail = info.capabilities.trim();
  return detail ? `${leadOf(info)} ${detail}` : leadOf(info);
}

function leadOf(info: ProviderInfo): string {
  switch (info.name) {
    case 'offline':
      return 'Builds use the built-in templates (no model server).';
    case 'openai':
      return info.model ? `Builds use ${info.model}.` : 'Builds use the configured model server.';
    case 'auto':
      return info.model
        ? `Builds use ${info.model} while its server answers, the built-in templates otherwise.`
        : 'Builds use a model server when one answers, the built-in templates otherwise.';
  }
}

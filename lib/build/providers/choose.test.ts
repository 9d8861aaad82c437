import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeProvider, type ProviderSettings } from './choose';

const base: ProviderSettings = {
  llmProvider: 'auto',
  llmBaseUrl: 'http://user:secret@models.lan:1234/v1',
  llmModel: undefined,
  offlineStreamDelayMs: 0,
  llmMaxTokens: 1,
  llmMaxOutputBytes: 1024,
  llmFirstTokenTimeoutMs: 1,
  llmIdleTimeoutMs: 2,
};

test('says which provider will build and what it can do, naming the model server by host only', () => {
  const offline = describeProvider({ ...base, llmProvider: 'offline' });
  assert.equal(offline.name, 'offline');
  assert.equal(offline.model, null);
  assert.match(offline.capabilities, /^Built-in templates, no model: a to-do list, a timer, .* or a unit converter, with your words in its title and labels\.$/);

  const openai = describeProvider({ ...base, llmProvider: 'openai', llmModel: 'qwen2.5-coder-7b' });
  assert.deepEqual(openai, { name: 'openai', model: 'qwen2.5-coder-7b', capabilities: 'Builds what you describe with the model qwen2.5-coder-7b on the model server at models.lan:1234.' });

  const auto = describeProvider(base);
  assert.equal(auto.name, 'auto');
  assert.match(auto.capabilities, /^Builds with the first model it lists on the model server at models\.lan:1234 when it answers; otherwise with the built-in templates: a to-do list/);
  for (const info of [offline, openai, auto]) assert.doesNotMatch(JSON.stringify(info), /secret|user:/);
});

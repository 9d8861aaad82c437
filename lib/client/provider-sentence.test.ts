import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerSentence } from './provider-sentence';

test('the offline provider says it has no model server and what its templates cover', () => {
  const info = { name: 'offline' as const, model: null, capabilities: 'Todo lists, timers, counters, notes, dashboards with charts; anything else gets the closest template.' };
  assert.equal(
    providerSentence(info, 'offline'),
    'Builds use the built-in templates (no model server). Todo lists, timers, counters, notes, dashboards with charts; anything else gets the closest template.',
  );
});

test('a model server build names the model', () => {
  assert.equal(providerSentence({ name: 'openai', model: 'qwen2.5-coder', capabilities: 'It runs at localhost:1234.' }, 'openai'), 'Builds use qwen2.5-coder. It runs at localhost:1234.');
  assert.equal(providerSentence({ name: 'openai', model: null, capabilities: '' }, 'openai'), 'Builds use the configured model server.');
});

test('without providerInfo (an older server) the provider is named as before, and nothing is said without either', () => {
  assert.equal(providerSentence(null, 'auto'), 'Builds use the auto provider.');
  assert.equal(providerSentence(null, null), null);
});

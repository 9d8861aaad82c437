import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { withReadmeResults } from '../bench/report';

// README shows the last bench run: `npm run bench` rewrites only what lies between its markers.

const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'bench', 'results.json'), 'utf8'));

test('the bench rewrites README between its markers and nowhere else', () => {
  const readme = [
    '# Title',
    'before',
    '<!-- bench:start (written by npm run bench) -->',
    'an old table',
    '<!-- bench:end -->',
    'after',
  ].join('\n');
  const out = withReadmeResults(readme, committed.meta, committed.results, committed.checks);
  assert.ok(out);
  assert.ok(out.startsWith('# Title\nbefore\n<!-- bench:start'));
  assert.ok(out.endsWith('<!-- bench:end -->\nafter'));
  assert.ok(!out.includes('an old table'));
  assert.match(out, new RegExp(`Run ${committed.meta.date}`));
  assert.match(out, /\| build \| portico \| \d/);
  assert.match(out, /\| portico-bridge \| round trip p50 vs websockify \|/);
  // Run again on its own output: the same block, not a second one.
  assert.equal(withReadmeResults(out, committed.meta, committed.results, committed.checks), out);
});

test('without the markers README is left alone', () => {
  assert.equal(withReadmeResults('# no markers here\n', committed.meta, committed.results, committed.checks), null);
});

test('the committed README carries the markers', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  assert.notEqual(withReadmeResults(readme, committed.meta, committed.results, committed.checks), null);
});

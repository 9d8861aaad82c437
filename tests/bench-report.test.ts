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

test('the scale-out rows join the block when they were measured', () => {
  const readme = '<!-- bench:start (written by npm run bench) -->\n<!-- bench:end -->';
  const paired = (what: string, a: string, b: string) => ({ what, a, b, median: 0.9, min: 0.8, max: 1.1 });
  const scaleOut = {
    subscribers: 1000,
    eventsPerRound: 10,
    rounds: 1,
    fanout: [
      { name: 'hub-one-gateway', gateways: 'one', subscribers: 1000, events: 10, lost: 0, p50Us: 100, p99Us: 200, firstUs: 60, rounds: [] },
      { name: 'hub-two-gateways', gateways: 'two', subscribers: 1000, events: 10, lost: 0, p50Us: 90, p99Us: 180, firstUs: 50, byGateway: { A: 80, B: 100 }, rounds: [] },
    ],
    upgrades: [
      { name: 'haproxy-two-gateways', via: 'x', perS: 900, failed: 0, rounds: [] },
      { name: 'haproxy-one-gateway', via: 'y', perS: 1000, failed: 0, rounds: [] },
    ],
    ratios: [paired('hub fan-out p50', 'hub-two-gateways', 'hub-one-gateway'), paired('upgrades/s', 'haproxy-two-gateways', 'haproxy-one-gateway')],
  };
  const out = withReadmeResults(readme, committed.meta, committed.results, committed.checks, undefined, scaleOut)!;
  assert.match(out, /\| hub-two-gateways \| two \| 90 \| 180 \| 50 \| A 80 · B 100 \| 0\.90× \(0\.80–1\.10\) · — · — \| 0 \|/);
  assert.match(out, /\| haproxy-two-gateways \| x \| 900 \| 0\.90× /);
  assert.ok(out.indexOf('hub fan-out') < out.indexOf('### Portico’s targets'));
});

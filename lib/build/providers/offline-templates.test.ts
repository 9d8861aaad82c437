import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { verifyFile } from '../verify';
import { OFFLINE_CAPABILITIES, TEMPLATES, noFitSentence, pickTemplate, renderTemplate, titleFrom } from './offline-templates';

describe('the offline templates', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-templates-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const cases: [string, string][] = [
    ['a weather dashboard with charts', 'dashboard with a chart'],
    ['A sales report with a graph', 'dashboard with a chart'],
    ['a feedback survey for my bakery', 'form or survey'],
    ['RSVP form for a wedding', 'form or survey'],
    ['a photo gallery of my cats', 'gallery of cards'],
    ['recipe cards list', 'gallery of cards'],
    ['a calculator', 'calculator'],
    ['convert miles to kilometres', 'unit converter'],
    ['a todo list for chores', 'to-do list'],
    ['A stopwatch with laps', 'timer'],
    ['a tally counter', 'counter'],
    ['my travel journal', 'notes page'],
  ];

  test('choose by the words of the prompt', () => {
    for (const [prompt, kind] of cases) assert.equal(pickTemplate(prompt).template.kind, kind, prompt);
  });

  test("put the prompt's words into the page: title, heading and labels", () => {
    const [html, , js] = renderTemplate(pickTemplate('a weather dashboard with charts').template, 'a weather dashboard with charts');
    assert.match(html.content, /<title>A weather dashboard with charts<\/title>/);
    assert.match(html.content, /<h1>A weather dashboard with charts<\/h1>/);
    assert.match(html.content, /Sample data for weather/);
    assert.match(html.content, /<svg id="chart"/);
    assert.match(js.content, /"metric":"Temperature"/);
    const survey = renderTemplate(pickTemplate('a feedback survey for my bakery').template, 'a feedback survey for my bakery')[0].content;
    assert.match(survey, /How would you rate bakery\?/);
  });

  test('escape the prompt everywhere it lands', () => {
    const prompt = 'a <script>alert(1)</script> gallery "quoted"';
    const [html, , js] = renderTemplate(pickTemplate(prompt).template, prompt);
    assert.doesNotMatch(html.content, /<script>alert/);
    assert.match(js.content, /^const SUBJECT = "script alert";/m);
  });

  test('say plainly when none fits, and what they can build', () => {
    assert.equal(pickTemplate('a multiplayer chess engine').score, 0);
    assert.equal(pickTemplate('a multiplayer chess engine').template.kind, 'notes page');
    assert.equal(
      noFitSentence('a multiplayer chess engine'),
      'The offline templates cannot build "a multiplayer chess engine"; this is the closest: a notes page. Connect a model (LLM_PROVIDER=openai) to build it as asked.',
    );
    for (const t of TEMPLATES) assert.ok(OFFLINE_CAPABILITIES.includes(t.kind), t.kind);
    const page = renderTemplate(pickTemplate('a multiplayer chess engine').template, 'a multiplayer chess engine', noFitSentence('a multiplayer chess engine'))[0].content;
    assert.match(page, /<p class="note" role="note">The offline templates cannot build &quot;a multiplayer chess engine&quot;; this is the closest: a notes page\./);
  });

  test('the converter starts on the units the prompt names', () => {
    const js = renderTemplate(pickTemplate('convert miles to kilometres').template, 'convert miles to kilometres')[2].content;
    assert.match(js, /^const ASKED = \["mile","kilometre"\];$/m);
  });

  test('every template passes verify', async () => {
    for (const t of TEMPLATES) {
      const dir = path.join(root, t.kind.replace(/\W+/g, '-'));
      const files = renderTemplate(t, `a ${t.kind} about "things" & <stuff>`);
      const written = new Set(files.map((f) => f.path));
      for (const f of files) {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, f.path), f.content);
      }
      for (const f of files) {
        const errors = (await verifyFile(dir, f.path, f.content, written, new AbortController().signal)).filter((x) => x.level === 'error');
        assert.deepEqual(errors, [], `${t.kind}: ${f.path}`);
      }
    }
  });
});

test('the title is the first sentence, and a sentence does not end inside an address or a version number', () => {
  assert.equal(titleFrom('An order board, like https://example.com/orders?view=board. With a clock'), 'An order board, like https://example.com/orders?view=board');
  assert.equal(titleFrom('a timer. with laps'), 'A timer');
  assert.equal(titleFrom('Release notes for v1.2!'), 'Release notes for v1.2');
  assert.equal(titleFrom('   '), 'My app');
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyFile, type Finding } from './verify';

// Verify counts problems, not lines of a checker's output: one mistake in a file is one error finding.

describe('verifyFile', () => {
  let root: string;
  const signal = new AbortController().signal;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-verify-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  async function check(rel: string, content: string, written = [rel]) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
    return verifyFile(root, rel, content, new Set(written), signal);
  }
  const errors = (findings: Finding[]) => findings.filter((f) => f.level === 'error');

  test('one JavaScript syntax error is one problem, with its line, message and the source line under it', async () => {
    const findings = await check('app.js', 'const a = 1;\nfunction f( {\n  return a;\n}\n');
    const errs = errors(findings);
    assert.equal(errs.length, 1);
    const [first, source, caret] = errs[0].text.split('\n');
    assert.match(first, /^app\.js:3: SyntaxError: Unexpected identifier/);
    assert.equal(source, '  return a;');
    assert.match(caret, /^\s+\^/);
    assert.doesNotMatch(errs[0].text, new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no server path');
    assert.doesNotMatch(errs[0].text, /wrapSafe|Node\.js v/, 'no stack trace');
  });

  test('a valid script passes', async () => {
    const findings = await check('ok.js', 'const x = 1;\n');
    assert.deepEqual(findings, [{ level: 'info', text: 'ok.js: node --check passed.' }]);
  });

  test('JSON: one error for a broken file, info for a good one', async () => {
    assert.equal(errors(await check('data.json', '{"a": 1,}')).length, 1);
    assert.deepEqual(await check('good.json', '{"a": [1, 2]}'), [{ level: 'info', text: 'good.json: valid JSON.' }]);
  });

  test('CSS: one error per broken rule, info for a good sheet', async () => {
    const errs = errors(await check('styles.css', 'h1 { color: red; }\np { color: ; }\n.a { margin 0 }\n'));
    assert.ok(errs.length >= 1 && errs.length <= 2, JSON.stringify(errs));
    assert.match(errs[0].text, /^styles\.css:\d+:\d+: CSS /);
    assert.deepEqual(await check('ok.css', 'body { margin: 0; color: color-mix(in srgb, red 50%, blue); }\n'), [{ level: 'info', text: 'ok.css: valid CSS.' }]);
  });

  test('HTML: a missing doctype is one problem; a link to a file the build did not write is one more', async () => {
    const errs = errors(await check('index.html', '<html><head><title>x</title><script src="missing.js"></script></head><body></body></html>'));
    assert.equal(errs.length, 2, JSON.stringify(errs));
    assert.match(errs[0].text, /index\.html:1:1: HTML missing-doctype/);
    assert.match(errs[1].text, /links to missing\.js, which the build did not write/);
    const good = await check('page.html', '<!DOCTYPE html><html lang="en"><head><title>x</title><link rel="stylesheet" href="a.css"></head><body></body></html>', ['page.html', 'a.css']);
    assert.deepEqual(good, [{ level: 'info', text: 'page.html: valid HTML.' }]);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CLOSE, CLOSE_CODES, closeSentence, shouldReconnect } from './close-codes';

// The table in code must say exactly what the design's table says: the UI shows these sentences and
// clients decide on them whether to reconnect.

const ROOT = path.resolve(__dirname, '../..');

function tableRows(markdown: string): Map<number, { meaning: string; sentence: string | null }> {
  const rows = new Map<number, { meaning: string; sentence: string | null }>();
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*(\d{4})\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$/.exec(line);
    if (!m) continue;
    const sentence = m[3] === '—' ? null : m[3].replace(/^"|"$/g, '');
    rows.set(Number(m[1]), { meaning: m[2], sentence });
  }
  return rows;
}

function checkAgainst(file: string) {
  const rows = tableRows(fs.readFileSync(file, 'utf8'));
  assert.ok(rows.size >= 11, `no close-code table found in ${file}`);
  for (const [code, row] of rows) {
    const info = CLOSE_CODES.find((c) => c.code === code);
    assert.ok(info, `${code} is in ${path.basename(file)} but not in close-codes.ts`);
    assert.equal(info.meaning, row.meaning, `meaning of ${code}`);
    assert.equal(info.sentence, row.sentence, `sentence of ${code}`);
  }
  // 1006 is the one code we know that is never sent, so the design's table does not list it.
  for (const c of CLOSE_CODES) if (c.code !== 1006) assert.ok(rows.has(c.code), `${c.code} is missing from ${path.basename(file)}`);
}

describe('close-code table', () => {
  test('matches the table in design.md', (t) => {
    const design = path.resolve(ROOT, '../shared/design.md');
    if (!fs.existsSync(design)) return t.diagnostic('design.md is not beside this checkout; README.md is still checked');
    checkAgainst(design);
  });

  test('matches the table in README.md', () => checkAgainst(path.join(ROOT, 'README.md')));

  test('clients reconnect on 1001, 1006, 1011, 1013, 1014 and never on 44xx', () => {
    for (const code of [1001, 1006, 1011, 1013, 1014]) assert.equal(shouldReconnect(code), true, String(code));
    for (const code of [1000, 4400, 4401, 4403, 4404, 4409, 4429]) assert.equal(shouldReconnect(code), false, String(code));
  });

  test('an unknown code still gets a sentence that names it', () => {
    assert.equal(closeSentence(4999), 'The connection closed unexpectedly (code 4999).');
    assert.equal(closeSentence(CLOSE.UNAUTHORIZED), 'Your sign-in has expired. Sign in again.');
  });
});

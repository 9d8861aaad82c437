import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIPBOARD_MAX_CHARS, tooLongSentence } from './vnc-clipboard';

describe('tooLongSentence', () => {
  test('says how long, the bound, and that nothing went either way', () => {
    assert.equal(CLIPBOARD_MAX_CHARS, 262_144, "the same bound as Xvnc's -MaxCutText default");
    assert.equal(tooLongSentence(300_000, 'from-desktop'), 'The desktop copied 300,000 characters, more than the 262,144 the viewer carries; nothing was copied here.');
    assert.equal(tooLongSentence(300_001, 'to-desktop'), 'The text has 300,001 characters, more than the 262,144 the viewer carries; nothing was sent to the desktop.');
  });
});

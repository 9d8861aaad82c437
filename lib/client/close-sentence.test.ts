import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOSE_CODES } from '../errors/close-codes';
import { afterClose, closeOutcome, sentenceForClose } from './close-sentence';

describe('sentenceForClose', () => {
  test('says nothing after a normal end', () => {
    assert.equal(sentenceForClose({ code: 1000 }), null);
    assert.equal(sentenceForClose({ code: 1000, reason: 'bye' }), null);
  });

  test('says nothing when the close frame carried no code (1005)', () => {
    assert.equal(sentenceForClose({ code: 1005 }), null);
  });

  test('gives the table sentence for every code in the table', () => {
    for (const c of CLOSE_CODES) assert.equal(sentenceForClose({ code: c.code }), c.sentence, `code ${c.code}`);
  });

  test('shows the table sentence, not the reason, for a code in the table', () => {
    assert.equal(sentenceForClose({ code: 4401, reason: 'token expired' }), 'Your sign-in has expired. Sign in again.');
    assert.equal(sentenceForClose({ code: 1014, reason: 'connect ECONNREFUSED 127.0.0.1:4100' }), 'The build service / VM is unreachable.');
  });

  test('reports a connection lost without a close frame (1006) as reconnecting', () => {
    assert.equal(sentenceForClose({ code: 1006, reason: '' }), 'Connection lost; reconnecting…');
  });

  test('names an unknown code instead of showing it bare', () => {
    assert.equal(sentenceForClose({ code: 4000 }), 'The connection closed unexpectedly (code 4000).');
  });

  test('adds an unknown code’s reason as a sentence of its own', () => {
    assert.equal(sentenceForClose({ code: 4000, reason: 'workspace deleted' }), 'The connection closed unexpectedly (code 4000). Workspace deleted.');
    assert.equal(sentenceForClose({ code: 4000, reason: 'Done!' }), 'The connection closed unexpectedly (code 4000). Done!');
    assert.equal(sentenceForClose({ code: 4000, reason: '   ' }), 'The connection closed unexpectedly (code 4000).');
  });
});

describe('closeOutcome', () => {
  test('reconnects after going away, a lost connection, server errors and an unreachable upstream', () => {
    for (const code of [1001, 1006, 1011, 1013, 1014]) assert.equal(closeOutcome({ code }).reconnect, true, `code ${code}`);
  });

  test('never reconnects after a refusal, a normal end or an unknown code', () => {
    for (const code of [1000, 1005, 4400, 4401, 4403, 4404, 4409, 4429, 4000]) assert.equal(closeOutcome({ code }).reconnect, false, `code ${code}`);
  });
});

describe('afterClose', () => {
  test('a refusal leaves the panel offline with a final sentence and no retry', () => {
    assert.deepEqual(afterClose({ code: 4401 }), {
      state: 'offline',
      problem: { code: 4401, sentence: 'Your sign-in has expired. Sign in again.', final: true },
      retry: false,
    });
  });

  test('a lost upstream reconnects, saying so, and the sentence is not final', () => {
    assert.deepEqual(afterClose({ code: 1014 }), {
      state: 'reconnecting',
      problem: { code: 1014, sentence: 'The build service / VM is unreachable.', final: false },
      retry: true,
    });
  });

  test('a normal end goes quietly offline', () => {
    assert.deepEqual(afterClose({ code: 1005 }), { state: 'offline', problem: null, retry: false });
  });
});

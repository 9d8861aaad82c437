import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { titleOf } from './page-title';

describe('titleOf', () => {
  it('puts the thing first and the product last', () => {
    assert.equal(titleOf(['bakery']), 'bakery · Portico');
    assert.equal(titleOf(['Build 3f2a1c9e', 'bakery']), 'Build 3f2a1c9e · bakery · Portico');
  });

  it('is the product alone when there is nothing to name', () => {
    assert.equal(titleOf([]), 'Portico');
  });

  it('skips parts that are not known yet', () => {
    assert.equal(titleOf(['Build 3f2a1c9e', null, undefined, '  ']), 'Build 3f2a1c9e · Portico');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resizeNoteFor } from './use-vnc';

describe('resizeNoteFor', () => {
  test('says nothing while the desktop has the window size (in whole pixels)', () => {
    assert.equal(resizeNoteFor({ w: 1000, h: 628 }, { w: 1000.6, h: 628.2 }, false), null);
    assert.equal(resizeNoteFor({ w: 1000, h: 628 }, { w: 1000, h: 628 }, true), null);
  });

  test('says the VM kept its size, and which, when it did not follow', () => {
    assert.equal(resizeNoteFor({ w: 1024, h: 640 }, { w: 900, h: 520 }, false), "The VM did not take the window's size (it keeps 1024×640), so its desktop is fit to the window.");
  });

  test('in view only, says that view only is why', () => {
    assert.match(resizeNoteFor({ w: 1280, h: 800 }, { w: 900, h: 520 }, true)!, /^View only does not resize the VM's desktop: it keeps 1280×800/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PIXEL_SCALE, maxZoom, zoomLayout } from './vnc-touch';

const phone = { w: 390, h: 600 };
const desktop = { w: 1280, h: 800 };

describe('zoomLayout', () => {
  test('at 1 the desktop fits the view, centred where the view is taller', () => {
    const { box, scale, left, top } = zoomLayout(phone, desktop, 1);
    assert.deepEqual(box, phone);
    assert.equal(scale, 390 / 1280);
    assert.equal(left, 0);
    assert.equal(top, (600 - 800 * scale) / 2);
  });

  test('zoomed, the box grows with the desktop but never below the view, so there is no empty band to pan through', () => {
    const { box, scale, top } = zoomLayout(phone, desktop, 2);
    assert.equal(box.w, 780);
    assert.equal(box.h, 600, 'the desktop is still shorter than the view');
    assert.equal(top, (600 - 800 * scale) / 2);
    const big = zoomLayout(phone, desktop, 4);
    assert.deepEqual(big.box, { w: 1560, h: 975 });
    assert.equal(big.top, 0);
  });
});

describe('maxZoom', () => {
  test(`stops at ${MAX_PIXEL_SCALE} CSS pixels per desktop pixel`, () => {
    const z = maxZoom(phone, desktop);
    assert.equal(zoomLayout(phone, desktop, z).scale, MAX_PIXEL_SCALE);
  });

  test('never below fit, even when fit already magnifies', () => {
    assert.equal(maxZoom({ w: 4000, h: 3000 }, desktop), 1);
    assert.equal(maxZoom({ w: 0, h: 0 }, desktop), 1);
  });
});

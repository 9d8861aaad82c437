import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXTRA_KEYS, LOCK_TAP_MS, ModifierLatch, XK } from './vnc-keys';

function recorder() {
  const sent: string[] = [];
  const latch = new ModifierLatch((keysym, _code, down) => sent.push(`${keysym.toString(16)}${down ? '↓' : '↑'}`));
  return { sent, latch };
}
const ctrl = XK.Control_L.toString(16);
const c = (0x63).toString(16);

describe('ModifierLatch', () => {
  test('a tapped Ctrl is held for the next key only: Ctrl down, C, Ctrl up', () => {
    const { sent, latch } = recorder();
    latch.tap('ctrl', 0);
    assert.equal(latch.state('ctrl'), 'latched');
    latch.press(0x63, 'KeyC');
    assert.deepEqual(sent, [`${ctrl}↓`, `${c}↓`, `${c}↑`, `${ctrl}↑`]);
    assert.equal(latch.state('ctrl'), 'off');
    latch.press(0x63, 'KeyC');
    assert.deepEqual(sent.slice(4), [`${c}↓`, `${c}↑`], 'the key after that is plain');
  });

  test('tapping a latched modifier again later lets it go', () => {
    const { sent, latch } = recorder();
    latch.tap('alt', 0);
    latch.tap('alt', LOCK_TAP_MS + 1);
    assert.equal(latch.state('alt'), 'off');
    assert.equal(sent.length, 2);
    assert.equal(latch.active, false);
  });

  test('a double tap locks it down across keys until it is tapped again', () => {
    const { sent, latch } = recorder();
    latch.tap('ctrl', 1000);
    latch.tap('ctrl', 1000 + LOCK_TAP_MS - 1);
    assert.equal(latch.state('ctrl'), 'locked');
    latch.press(0x63, 'KeyC');
    latch.press(0x63, 'KeyC');
    assert.equal(latch.state('ctrl'), 'locked');
    assert.deepEqual(sent, [`${ctrl}↓`, `${c}↓`, `${c}↑`, `${c}↓`, `${c}↑`], 'Ctrl went down once and stays down');
    latch.tap('ctrl', 5000);
    assert.deepEqual(sent.at(-1), `${ctrl}↑`);
  });

  test('a key releases the latched modifiers but not the locked ones', () => {
    const { latch } = recorder();
    latch.tap('shift', 0);
    latch.tap('shift', 1);
    latch.tap('ctrl', 10_000);
    latch.afterKey();
    assert.equal(latch.state('shift'), 'locked');
    assert.equal(latch.state('ctrl'), 'off');
  });

  test('releaseAll lets go of everything, and sends nothing for a connection that is gone', () => {
    const { sent, latch } = recorder();
    latch.tap('ctrl', 0);
    latch.tap('super', 0);
    latch.releaseAll();
    assert.deepEqual(sent.slice(2).sort(), [`${ctrl}↑`, `${XK.Super_L.toString(16)}↑`].sort());
    latch.tap('alt', 0);
    latch.releaseAll(false);
    assert.equal(sent.length, 5);
    assert.equal(latch.active, false);
  });
});

describe('EXTRA_KEYS', () => {
  test('has Ctrl, Alt, Super, Esc, Tab, the arrows, F1 to F12 and Ctrl-Alt-Del, each named once', () => {
    const names = EXTRA_KEYS.map((k) => k.name);
    for (const n of ['Ctrl', 'Alt', 'Super', 'Escape', 'Tab', 'Left arrow', 'Up arrow', 'Right arrow', 'Down arrow', 'Send Ctrl-Alt-Del']) assert.ok(names.includes(n), n);
    for (let i = 1; i <= 12; i++) assert.ok(names.includes(`F${i}`));
    assert.equal(new Set(names).size, names.length);
    const f12 = EXTRA_KEYS.find((k) => k.name === 'F12');
    assert.equal(f12?.kind === 'key' && f12.keysym, 0xffc9);
  });
});

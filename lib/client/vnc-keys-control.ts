'use client';

import type RFB from '@novnc/novnc';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent, type RefObject } from 'react';
import { keysymsFor } from './keysyms';
import { fieldEdit, FILLER, MAX_FIELD_CHARS, NAMED_KEYS } from './vnc-keys-input';
import { isModifierKey, ModifierLatch, XK, type LatchState, type Modifier } from './vnc-keys';

// One hook for everything that sends keys besides noVNC's own keyboard handling: the extra-keys bar with
// its sticky modifiers, and the on-screen keyboard's hidden field. The viewer calls it once and hands the
// result to the bar and the toolbar buttons.

export type VncKeys = {
  live: boolean;
  modifier(m: Modifier): LatchState;
  tapModifier(m: Modifier): void;
  press(keysym: number, code: string): void;
  ctrlAltDel(): void;
  barOpen: boolean;
  setBarOpen(open: boolean): void;
  keyboardOpen: boolean;
  /** Opens the phone's keyboard (focuses the hidden field) or closes it. */
  toggleKeyboard(): void;
  /** Props for the hidden field the on-screen keyboard types into. */
  field: {
    ref: RefObject<HTMLTextAreaElement | null>;
    onInput(event: FormEvent<HTMLTextAreaElement>): void;
    onKeyDown(event: ReactKeyboardEvent<HTMLTextAreaElement>): void;
    onFocus(): void;
    onBlur(): void;
  };
};

const BAR_KEY = 'portico:vnc-extra-keys';

function readBarPreference(): boolean | null {
  try {
    const saved = localStorage.getItem(BAR_KEY);
    return saved === 'open' ? true : saved === 'closed' ? false : null;
  } catch {
    return null;
  }
}

/** noVNC's touch gestures that end in a click (core/input/gesturehandler.js). */
const CLICKS = new Set(['onetap', 'twotap', 'threetap', 'longpress']);

export function useVncKeys(rfb: () => RFB | null, live: boolean, screen: RefObject<HTMLElement | null>): VncKeys {
  const [, setVersion] = useState(0);
  const [barOpen, setBarOpen] = useState(false);
  const [keyboardOpen, setKeyboardOpen] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const before = useRef(FILLER);

  const latch = useMemo(
    () =>
      new ModifierLatch(
        (keysym, code, down) => rfb()?.sendKey(keysym, code, down),
        () => setVersion((v) => v + 1),
      ),
    [rfb],
  );

  // Shown or hidden as it was last on this device (a phone and a laptop want different things); the
  // first time, open on touch screens, which have no keys for Esc, Tab or Ctrl at all.
  useEffect(() => {
    const saved = readBarPreference();
    setBarOpen(saved ?? window.matchMedia('(pointer: coarse)').matches);
  }, []);
  const showBar = useCallback((open: boolean) => {
    setBarOpen(open);
    try {
      localStorage.setItem(BAR_KEY, open ? 'open' : 'closed');
    } catch {
      // Storage refused (private mode, quota): it is only a preference.
    }
  }, []);

  // A new connection holds no keys: forget what the last one held, without sending anything.
  useEffect(() => {
    if (!live) latch.releaseAll(false);
  }, [live, latch]);
  useEffect(() => () => latch.releaseAll(), [latch]);

  // Keys and clicks that reach the desktop through noVNC use what is latched, then let it go. Capture
  // phase, because noVNC stops the events on its canvas; released on the next task, once noVNC has sent
  // the key or the click with the modifier still down.
  useEffect(() => {
    const target = screen.current;
    if (!target) return;
    const after = () => {
      if (latch.active) setTimeout(() => latch.afterKey(), 0);
    };
    const onKey = (event: KeyboardEvent) => {
      if (!isModifierKey(event.key)) after();
    };
    // Taps are clicks; a pinch or a pan moves the view and sends nothing, so it keeps what is latched.
    const onGesture = (event: Event) => {
      if (CLICKS.has((event as CustomEvent<{ type: string }>).detail?.type)) after();
    };
    target.addEventListener('keydown', onKey, true);
    target.addEventListener('mouseup', after, true);
    target.addEventListener('gestureend', onGesture, true);
    return () => {
      target.removeEventListener('keydown', onKey, true);
      target.removeEventListener('mouseup', after, true);
      target.removeEventListener('gestureend', onGesture, true);
    };
  }, [screen, latch]);

  // While the phone's keyboard is open, a tap on the desktop is a click and nothing more: noVNC would
  // otherwise focus its canvas, and the keyboard would close under the person's finger.
  useEffect(() => {
    const r = live ? rfb() : null;
    if (r) r.focusOnClick = !keyboardOpen;
  }, [rfb, live, keyboardOpen]);

  const typeText = useCallback(
    (text: string) => {
      for (const keysym of keysymsFor(text)) latch.press(keysym, '');
    },
    [latch],
  );

  const resetField = useCallback(() => {
    const el = field.current;
    if (!el) return;
    el.value = FILLER;
    before.current = FILLER;
    el.setSelectionRange(FILLER.length, FILLER.length);
  }, []);

  const onInput = useCallback(
    (event: FormEvent<HTMLTextAreaElement>) => {
      const value = event.currentTarget.value;
      const { backspaces, typed } = fieldEdit(before.current, value);
      before.current = value;
      if (live) {
        for (let i = 0; i < backspaces; i++) latch.press(XK.BackSpace, 'Backspace');
        typeText(typed);
      }
      // Always something left for Backspace to delete, and never an ever-growing value.
      if (value.length === 0 || value.length > MAX_FIELD_CHARS) resetField();
    },
    [live, latch, typeText, resetField],
  );

  const onKeyDown = useCallback(
    (event: ReactKeyboardEvent<HTMLTextAreaElement>) => {
      // Shift+Tab is the way out of the field for a keyboard (its default moves the focus back to the
      // toolbar), so nobody is trapped in it; Tab alone goes to the desktop.
      if (event.nativeEvent.isComposing || (event.key === 'Tab' && event.shiftKey)) return;
      const named = NAMED_KEYS[event.key];
      // A hardware keyboard's shortcut (Ctrl+C typed into the field) goes to the desktop as that chord.
      const chord = (event.ctrlKey || event.altKey || event.metaKey) && event.key.length === 1;
      if (!named && !chord) return;
      event.preventDefault();
      if (!live) return;
      if (named) return latch.press(named.keysym, named.code);
      const held = (['ctrl', 'alt', 'super'] as const).filter((m) => (m === 'ctrl' ? event.ctrlKey : m === 'alt' ? event.altKey : event.metaKey) && latch.state(m) === 'off');
      // Latched for this one key: typing it lets them go again.
      for (const m of held) latch.tap(m, Date.now());
      typeText(event.key);
    },
    [live, latch, typeText],
  );

  const toggleKeyboard = useCallback(() => {
    const el = field.current;
    if (!el) return;
    if (document.activeElement === el) {
      el.blur();
      rfb()?.focus({ preventScroll: true });
      return;
    }
    resetField();
    el.focus({ preventScroll: true });
  }, [rfb, resetField]);

  return {
    live,
    modifier: (m) => latch.state(m),
    tapModifier: (m) => live && latch.tap(m, Date.now()),
    press: (keysym, code) => live && latch.press(keysym, code),
    ctrlAltDel: () => {
      if (!live) return;
      rfb()?.sendCtrlAltDel();
      latch.afterKey();
    },
    barOpen,
    setBarOpen: showBar,
    keyboardOpen,
    toggleKeyboard,
    field: { ref: field, onInput, onKeyDown, onFocus: () => setKeyboardOpen(true), onBlur: () => setKeyboardOpen(false) },
  };
}

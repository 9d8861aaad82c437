'use client';

import type RFB from '@novnc/novnc';
import { useEffect, useState, type RefObject } from 'react';
import { createEscapeChord } from './vnc-focus';

// Whether the desktop has the keyboard, and the way out of it (lib/client/vnc-focus.ts). The chord is
// caught on the screen's box in the capture phase, before noVNC's own listener on its canvas sends it on.

// Modifiers the VM saw go down as the chord was pressed; their key-ups will land on the toolbar, so the
// viewer lets them go itself (X ignores the release of a key that is not down).
const MODIFIER_RELEASES: [number, string][] = [
  [0xffe3, 'ControlLeft'],
  [0xffe4, 'ControlRight'],
  [0xffe9, 'AltLeft'],
  [0xffea, 'AltRight'],
  [0xffe1, 'ShiftLeft'],
  [0xffe2, 'ShiftRight'],
];

export function useDesktopFocus(screen: RefObject<HTMLElement | null>, rfb: () => RFB | null, leave: () => void): boolean {
  const [focused, setFocused] = useState(false);

  useEffect(() => {
    const box = screen.current;
    if (!box) return;
    const chord = createEscapeChord();
    const isDesktop = (t: EventTarget | null) => t instanceof HTMLCanvasElement && box.contains(t);
    const onKeyDown = (e: KeyboardEvent) => {
      if (!isDesktop(e.target) || chord.check(e, e.timeStamp) !== 'leave') return;
      e.preventDefault();
      e.stopImmediatePropagation();
      const r = rfb();
      if (r && e.key !== 'Escape') for (const [keysym, code] of MODIFIER_RELEASES) r.sendKey(keysym, code, false);
      leave();
    };
    const onFocus = (e: FocusEvent) => isDesktop(e.target) && setFocused(true);
    const onBlur = (e: FocusEvent) => isDesktop(e.target) && setFocused(false);
    box.addEventListener('keydown', onKeyDown, { capture: true });
    box.addEventListener('focusin', onFocus);
    box.addEventListener('focusout', onBlur);
    return () => {
      box.removeEventListener('keydown', onKeyDown, { capture: true });
      box.removeEventListener('focusin', onFocus);
      box.removeEventListener('focusout', onBlur);
    };
  }, [screen, rfb, leave]);

  return focused;
}

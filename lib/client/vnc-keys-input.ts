import { XK } from './vnc-keys';

// The on-screen keyboard: a phone shows its keyboard only for a focused text field, so the viewer focuses
// a hidden one and turns what happens to it into key presses (noVNC's own app does the same: app/ui.js
// `showVirtualKeyboard`, `keyInput`, `keyboardinputReset`).
//
// Phone keyboards do not send reliable keydown events (Android's are mostly key "Unidentified", code 229,
// and autocorrect rewrites whole words), so characters are read from the field's value: the field always
// holds some filler for Backspace to eat, and each `input` event is compared with the value before it.

/** What the field holds after a reset: something for Backspace to delete. */
export const FILLER = '_'.repeat(32);
/** Past this the field is reset, so its value never grows without bound. */
export const MAX_FIELD_CHARS = 2 * FILLER.length;

/** What an edit of the field amounts to: so many Backspaces, then this text typed. */
export type FieldEdit = { backspaces: number; typed: string };

/**
 * The key presses that turn `before` into `after`: Backspace back to where the two first differ, then
 * the rest of `after` (an autocorrected word is deleted and typed again, as a person would).
 */
export function fieldEdit(before: string, after: string): FieldEdit {
  const a = Array.from(before);
  const b = Array.from(after);
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  return { backspaces: a.length - same, typed: b.slice(same).join('') };
}

/**
 * Keys a hardware keyboard (or a phone keyboard that does send them) presses in the field that change no
 * text, or that a text field would handle itself (Enter in an <input>, Tab moving focus): sent as keys.
 */
export const NAMED_KEYS: Readonly<Record<string, { keysym: number; code: string }>> = {
  Enter: { keysym: XK.Return, code: 'Enter' },
  Tab: { keysym: XK.Tab, code: 'Tab' },
  Escape: { keysym: XK.Escape, code: 'Escape' },
  ArrowLeft: { keysym: XK.Left, code: 'ArrowLeft' },
  ArrowUp: { keysym: XK.Up, code: 'ArrowUp' },
  ArrowRight: { keysym: XK.Right, code: 'ArrowRight' },
  ArrowDown: { keysym: XK.Down, code: 'ArrowDown' },
  Home: { keysym: XK.Home, code: 'Home' },
  End: { keysym: XK.End, code: 'End' },
  PageUp: { keysym: XK.PageUp, code: 'PageUp' },
  PageDown: { keysym: XK.PageDown, code: 'PageDown' },
  Delete: { keysym: XK.Delete, code: 'Delete' },
};

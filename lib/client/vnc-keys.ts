// The extra-keys bar's keys and its sticky modifiers, as data and a small state machine with no DOM, so
// the bar, the on-screen keyboard and the physical keyboard share one idea of what is held down.
//
// A latched modifier is really pressed in the VM (a KeyEvent down was sent when it was tapped), so it
// applies to whatever comes next from anywhere: a bar key, a character of the on-screen keyboard, a key
// of the physical keyboard, a click. It is released after the next key that is not a modifier; a locked
// one (double tap) stays down until tapped again.

/** X11 keysyms (keysymdef.h) of the keys the bar sends. */
export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Home: 0xff50,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  PageUp: 0xff55,
  PageDown: 0xff56,
  End: 0xff57,
  Delete: 0xffff,
  F1: 0xffbe,
  Shift_L: 0xffe1,
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
  Super_L: 0xffeb,
} as const;

export type Modifier = 'ctrl' | 'alt' | 'shift' | 'super';

export type ExtraKey =
  | { kind: 'modifier'; modifier: Modifier; label: string; name: string }
  | { kind: 'key'; label: string; name: string; keysym: number; code: string }
  | { kind: 'ctrl-alt-del'; label: string; name: string };

/** A modifier's keysym and the `KeyboardEvent.code` noVNC turns into a scancode for servers that want one. */
export const MODIFIER_KEYS: Record<Modifier, { keysym: number; code: string }> = {
  ctrl: { keysym: XK.Control_L, code: 'ControlLeft' },
  alt: { keysym: XK.Alt_L, code: 'AltLeft' },
  shift: { keysym: XK.Shift_L, code: 'ShiftLeft' },
  super: { keysym: XK.Super_L, code: 'MetaLeft' },
};

const key = (label: string, name: string, keysym: number, code: string): ExtraKey => ({ kind: 'key', label, name, keysym, code });

/** What the bar shows, in order: modifiers first (they are tapped before the key they modify). */
export const EXTRA_KEYS: readonly ExtraKey[] = [
  { kind: 'modifier', modifier: 'ctrl', label: 'Ctrl', name: 'Ctrl' },
  { kind: 'modifier', modifier: 'alt', label: 'Alt', name: 'Alt' },
  { kind: 'modifier', modifier: 'shift', label: 'Shift', name: 'Shift' },
  { kind: 'modifier', modifier: 'super', label: 'Super', name: 'Super' },
  key('Esc', 'Escape', XK.Escape, 'Escape'),
  key('Tab', 'Tab', XK.Tab, 'Tab'),
  key('←', 'Left arrow', XK.Left, 'ArrowLeft'),
  key('↑', 'Up arrow', XK.Up, 'ArrowUp'),
  key('↓', 'Down arrow', XK.Down, 'ArrowDown'),
  key('→', 'Right arrow', XK.Right, 'ArrowRight'),
  key('Home', 'Home', XK.Home, 'Home'),
  key('End', 'End', XK.End, 'End'),
  key('PgUp', 'Page up', XK.PageUp, 'PageUp'),
  key('PgDn', 'Page down', XK.PageDown, 'PageDown'),
  key('Del', 'Delete', XK.Delete, 'Delete'),
  ...Array.from({ length: 12 }, (_, i) => key(`F${i + 1}`, `F${i + 1}`, XK.F1 + i, `F${i + 1}`)),
  { kind: 'ctrl-alt-del', label: 'Ctrl-Alt-Del', name: 'Send Ctrl-Alt-Del' },
];

export type LatchState = 'off' | 'latched' | 'locked';

/** Two taps on a modifier closer than this lock it (the usual double-tap of a phone keyboard's Shift). */
export const LOCK_TAP_MS = 400;

export type KeySender = (keysym: number, code: string, down: boolean) => void;

/**
 * The sticky modifiers. `send` is called with every KeyEvent to send, in order; `changed` after every
 * change of state, for the bar to show it.
 */
export class ModifierLatch {
  private readonly states = new Map<Modifier, { state: LatchState; at: number }>();

  constructor(
    private readonly send: KeySender,
    private readonly changed: () => void = () => undefined,
  ) {}

  state(modifier: Modifier): LatchState {
    return this.states.get(modifier)?.state ?? 'off';
  }

  /** Whether any modifier is held by the bar. */
  get active(): boolean {
    return this.states.size > 0;
  }

  /** A tap on a modifier: off → latched; latched → locked when tapped again quickly, else off; locked → off. */
  tap(modifier: Modifier, now: number): void {
    const current = this.states.get(modifier);
    const { keysym, code } = MODIFIER_KEYS[modifier];
    if (!current) {
      this.send(keysym, code, true);
      this.states.set(modifier, { state: 'latched', at: now });
    } else if (current.state === 'latched' && now - current.at < LOCK_TAP_MS) {
      this.states.set(modifier, { state: 'locked', at: now });
    } else {
      this.send(keysym, code, false);
      this.states.delete(modifier);
    }
    this.changed();
  }

  /** A key that is not a modifier was pressed: latched modifiers have done their job. */
  afterKey(): void {
    let released = false;
    for (const [modifier, { state }] of this.states) {
      if (state !== 'latched') continue;
      const { keysym, code } = MODIFIER_KEYS[modifier];
      this.send(keysym, code, false);
      this.states.delete(modifier);
      released = true;
    }
    if (released) this.changed();
  }

  /** Presses and releases one key with whatever is held, then lets go of what was only latched. */
  press(keysym: number, code: string): void {
    this.send(keysym, code, true);
    this.send(keysym, code, false);
    this.afterKey();
  }

  /** Lets go of everything (the viewer is leaving, or the connection is new and holds nothing). */
  releaseAll(send = true): void {
    if (this.states.size === 0) return;
    if (send) for (const modifier of this.states.keys()) this.send(MODIFIER_KEYS[modifier].keysym, MODIFIER_KEYS[modifier].code, false);
    this.states.clear();
    this.changed();
  }
}

/** Keys a physical keyboard sends that only modify: pressing one must not release a latched modifier. */
export function isModifierKey(key: string): boolean {
  return key === 'Control' || key === 'Alt' || key === 'AltGraph' || key === 'Shift' || key === 'Meta' || key === 'OS' || key === 'CapsLock';
}

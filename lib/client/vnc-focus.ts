// How a keyboard-only user leaves the desktop. While the desktop has focus every key goes to the VM
// (Tab too), so leaving needs a chord the VM rarely wants:
//  - Ctrl+Alt+Shift, pressed together: Guacamole's menu chord, which its users already know;
//  - Escape twice within ESCAPE_TWICE_MS: the first Escape still reaches the VM (a single Escape must, for
//    vi and dialogs), only the second is kept back.

export const ESCAPE_TWICE_MS = 500;

/** What the hint next to the desktop says. */
export const LEAVE_DESKTOP_HINT = 'Ctrl+Alt+Shift, or Esc twice, leaves the desktop';

export type ChordKey = { key: string; ctrlKey: boolean; altKey: boolean; shiftKey: boolean; repeat: boolean };

/** Remembers the last Escape; `check` says whether a keydown leaves the desktop (and must not reach the VM). */
export function createEscapeChord(twiceMs = ESCAPE_TWICE_MS) {
  let lastEscapeAt: number | null = null;
  return {
    check(e: ChordKey, now: number): 'leave' | 'pass' {
      if ((e.key === 'Control' || e.key === 'Alt' || e.key === 'Shift') && e.ctrlKey && e.altKey && e.shiftKey) {
        lastEscapeAt = null;
        return 'leave';
      }
      if (e.key !== 'Escape') {
        // Esc, x, Esc is two separate Escapes, not the chord.
        if (!['Control', 'Alt', 'Shift', 'Meta'].includes(e.key)) lastEscapeAt = null;
        return 'pass';
      }
      if (e.repeat) return 'pass';
      if (lastEscapeAt !== null && now - lastEscapeAt <= twiceMs) {
        lastEscapeAt = null;
        return 'leave';
      }
      lastEscapeAt = now;
      return 'pass';
    },
  };
}

// Text → X11 keysyms, so pasted text can be typed into the remote desktop key by key (RFB KeyEvent
// messages carry keysyms, not characters). Typing is what a person wants in a terminal: the VNC
// clipboard only sets the remote selection, which an xterm does not paste from by itself.

const XK_BACKSPACE = 0xff08;
const XK_TAB = 0xff09;
const XK_RETURN = 0xff0d;

/**
 * One keysym per character. Latin-1 characters are their own keysym; everything else uses the X11
 * Unicode range (0x01000000 + code point), which TigerVNC and Xorg map to a spare keycode on demand.
 * Control characters other than tab, newline and backspace are dropped: they have no key to press.
 */
export function keysymsFor(text: string): number[] {
  const keysyms: number[] = [];
  // \r\n is one Enter, not two.
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n') keysyms.push(XK_RETURN);
    else if (ch === '\t') keysyms.push(XK_TAB);
    else if (ch === '\b') keysyms.push(XK_BACKSPACE);
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    else if (cp <= 0xff) keysyms.push(cp);
    else keysyms.push(0x01000000 + cp);
  }
  return keysyms;
}

/** How much a person can sensibly paste as key presses at once (a page of text, not a file). */
export const PASTE_MAX_CHARS = 10_000;

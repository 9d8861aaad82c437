'use client';

import type RFB from '@novnc/novnc';
import { useCallback, useEffect, useRef, useState } from 'react';
import { keysymsFor, PASTE_MAX_CHARS } from './keysyms';

// The clipboard both ways between the browser and the VM's desktop.
//
// VM → browser: Xvnc announces every new CLIPBOARD (and, with its default -SendPrimary, PRIMARY: an
// xterm selection) owner; noVNC fetches the text and fires `clipboard`; we write it to the browser's
// clipboard. Browser → VM: `clipboardPasteFrom` sets the desktop's clipboard (Xvnc sets both CLIPBOARD
// and PRIMARY with its default -SetPrimary), on Paste and, where the browser allows reading without
// asking, whenever the viewer gets the focus. When the browser refuses either way, the panel holds the
// text for the person to copy or paste by hand.

/**
 * Largest text carried either way. Xvnc's own `-MaxCutText` defaults to 256 KiB and it drops anything
 * longer it is sent; a page of text is what a clipboard is for here (files have their own transfer).
 */
export const CLIPBOARD_MAX_CHARS = 256 * 1024;

/** Said when a text is past the bound: how long it was, the bound, and that none of it went anywhere. */
export function tooLongSentence(chars: number, direction: 'from-desktop' | 'to-desktop'): string {
  const size = `${chars.toLocaleString('en')} characters, more than the ${CLIPBOARD_MAX_CHARS.toLocaleString('en')} the viewer carries`;
  return direction === 'from-desktop' ? `The desktop copied ${size}; nothing was copied here.` : `The text has ${size}; nothing was sent to the desktop.`;
}

export type ClipboardPanel = {
  /** Why the panel is open (a refusal, a bound), or null when the person opened it. */
  hint: string | null;
  text: string;
  /** Opened by the desktop copying, not by the person: it must not take the focus from the desktop. */
  unasked?: boolean;
};

export type VncClipboard = {
  panel: ClipboardPanel | null;
  /** One line for a screen reader and the panel: what last happened. */
  status: string | null;
  open(): void;
  close(): void;
  setText(text: string): void;
  /** Reads the browser's clipboard and sets the desktop's; opens the panel when the browser says no. */
  paste(): Promise<void>;
  sendToDesktop(text: string): void;
  typeIntoDesktop(text: string): void;
  copyToBrowser(text: string): Promise<void>;
};

export function useVncClipboard(rfb: () => RFB | null, live: boolean): VncClipboard {
  const [panel, setPanel] = useState<ClipboardPanel | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  // The text both sides last agreed on: neither copy is sent back to where it came from.
  const synced = useRef<string | null>(null);

  const sendToDesktop = useCallback(
    (text: string) => {
      if (text.length > CLIPBOARD_MAX_CHARS) {
        setPanel({ hint: tooLongSentence(text.length, 'to-desktop'), text: '' });
        return;
      }
      const r = rfb();
      if (!r) return;
      r.clipboardPasteFrom(text);
      synced.current = text;
      setStatus("Sent to the desktop's clipboard: paste it there (middle click or Ctrl+Shift+V in the terminal).");
    },
    [rfb],
  );

  const copyToBrowser = useCallback(async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      synced.current = text;
      setStatus(`Copied from the desktop: ${text.length.toLocaleString('en')} characters.`);
      setPanel((p) => (p?.hint ? null : p));
    } catch {
      setPanel({ hint: 'The browser did not let this page write to its clipboard. The desktop copied this text: copy it from here.', text, unasked: true });
    }
  }, []);

  // The desktop copied something.
  useEffect(() => {
    const r = live ? rfb() : null;
    if (!r) return;
    const onClipboard = (event: CustomEvent<{ text: string }>) => {
      const { text } = event.detail;
      if (text === synced.current) return;
      if (text.length > CLIPBOARD_MAX_CHARS) {
        setPanel({ hint: tooLongSentence(text.length, 'from-desktop'), text: '', unasked: true });
        return;
      }
      setPanel((p) => (p ? { ...p, text } : p));
      void copyToBrowser(text);
    };
    r.addEventListener('clipboard', onClipboard);
    return () => r.removeEventListener('clipboard', onClipboard);
  }, [rfb, live, copyToBrowser]);

  // Copied in another window, then back to the desktop: where reading needs no prompt, the desktop gets it
  // at once (what "seamless clipboard" means in noVNC's and Kasm's viewers).
  useEffect(() => {
    if (!live) return;
    let busy = false;
    const onFocus = async () => {
      if (busy) return;
      busy = true;
      try {
        const permission = await navigator.permissions.query({ name: 'clipboard-read' as PermissionName });
        if (permission.state !== 'granted') return;
        const text = await navigator.clipboard.readText();
        if (text && text !== synced.current && text.length <= CLIPBOARD_MAX_CHARS) sendToDesktop(text);
      } catch {
        // Not allowed here: Paste and the panel remain.
      } finally {
        busy = false;
      }
    };
    const run = () => void onFocus();
    window.addEventListener('focus', run);
    return () => window.removeEventListener('focus', run);
  }, [live, sendToDesktop]);

  const paste = useCallback(async () => {
    // Reading needs the page's permission (and, in a frame, the frame's `allow`).
    let text: string;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      setPanel({ hint: 'The browser did not let this page read its clipboard. Paste the text here (Ctrl+V), then send it to the desktop.', text: '' });
      return;
    }
    if (!text) {
      setPanel({ hint: 'The clipboard is empty. Type or paste the text here.', text: '' });
      return;
    }
    sendToDesktop(text);
  }, [sendToDesktop]);

  const typeIntoDesktop = useCallback(
    (text: string) => {
      // Typing is key by key, a KeyEvent pair per character: a page of text, not a file.
      if (text.length > PASTE_MAX_CHARS) {
        setPanel({ hint: `${text.length.toLocaleString('en')} characters are too many to type (at most ${PASTE_MAX_CHARS.toLocaleString('en')}); send them to the desktop's clipboard instead.`, text });
        return;
      }
      const r = rfb();
      if (!r) return;
      for (const keysym of keysymsFor(text)) r.sendKey(keysym, null);
      setPanel(null);
      setStatus(`Typed ${text.length.toLocaleString('en')} characters into the desktop.`);
      r.focus({ preventScroll: true });
    },
    [rfb],
  );

  return {
    panel,
    status,
    open: () => setPanel({ hint: null, text: synced.current ?? '' }),
    close: () => {
      setPanel(null);
      rfb()?.focus({ preventScroll: true });
    },
    setText: (text) => setPanel((p) => (p ? { ...p, text } : p)),
    paste,
    sendToDesktop,
    typeIntoDesktop,
    copyToBrowser,
  };
}

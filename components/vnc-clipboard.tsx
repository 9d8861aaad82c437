'use client';

import { X } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { CLIPBOARD_MAX_CHARS, useVncClipboard } from '@/lib/client/vnc-clipboard';

// The viewer's Clipboard panel: what the desktop copied last, and where text goes by hand when the browser
// refuses to read or write its clipboard. The toolbar's Paste and Clipboard items open it; it floats below.

/** The clipboard's status line (for screen readers) and, when open, its panel; the toolbar holds the buttons. */
export function VncClipboardPanel({ clip, live }: { clip: ReturnType<typeof useVncClipboard>; live: boolean }) {
  return (
    <>
      <p role="status" className="sr-only" data-testid="clipboard-status">
        {clip.status ?? ''}
      </p>
      {clip.panel && live ? <ClipboardPanel clip={clip} /> : null}
    </>
  );
}

function ClipboardPanel({ clip }: { clip: ReturnType<typeof useVncClipboard> }) {
  const box = useRef<HTMLTextAreaElement>(null);
  const panel = clip.panel!;
  useEffect(() => {
    const el = box.current;
    // Someone typing into the desktop keeps typing there when the desktop's copy could not be carried.
    if (!el || panel.unasked) return;
    el.focus();
    // Copying by hand is Ctrl+C away when it is already selected.
    if (panel.text) el.select();
    // Only when it opens or the reason changes, not on every keystroke.
  }, [panel.hint, panel.unasked]);

  return (
    <section
      aria-label="Clipboard"
      onKeyDown={(e) => e.key === 'Escape' && clip.close()}
      className="fixed top-12 right-2 z-20 w-[min(26rem,calc(100vw-1rem))] space-y-2 rounded-lg border border-line bg-surface p-3 shadow-lg"
    >
      <div className="flex items-start gap-2">
        <p className="min-w-0 flex-1 text-xs text-muted" data-testid="clipboard-hint">
          {panel.hint ?? "Text here can go to the desktop's clipboard or be typed into it; what the desktop copies shows here."}
        </p>
        <button type="button" aria-label="Close the clipboard" onClick={clip.close} className="-m-1 rounded p-1 text-muted hover:bg-sunken hover:text-ink">
          <X aria-hidden className="size-4" />
        </button>
      </div>
      <label htmlFor="clipboard-text" className="sr-only">
        Clipboard text
      </label>
      <textarea
        ref={box}
        id="clipboard-text"
        rows={4}
        maxLength={CLIPBOARD_MAX_CHARS}
        value={panel.text}
        onChange={(e) => clip.setText(e.target.value)}
        className="block w-full resize-y rounded-md border border-line-strong bg-surface px-2.5 py-2 font-mono text-sm text-ink focus-visible:border-accent focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-accent/40"
      />
      <div className="flex flex-wrap gap-2">
        <ToolButton label="Send to the desktop's clipboard" onClick={() => clip.sendToDesktop(panel.text)} disabled={!panel.text}>
          Send to desktop
        </ToolButton>
        <ToolButton label="Type it into the desktop" onClick={() => clip.typeIntoDesktop(panel.text)} disabled={!panel.text}>
          Type it
        </ToolButton>
        <ToolButton label="Copy to this computer's clipboard" onClick={() => void clip.copyToBrowser(panel.text)} disabled={!panel.text}>
          Copy here
        </ToolButton>
      </div>
    </section>
  );
}

function ToolButton({ label, pressed, disabled, onClick, children }: { label: string; pressed?: boolean; disabled: boolean; onClick(): void; children: ReactNode }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      disabled={disabled}
      onClick={onClick}
      className="inline-flex h-7 shrink-0 items-center gap-1.5 rounded-md border border-line-strong bg-surface px-2 text-xs font-medium whitespace-nowrap text-ink shadow-xs transition-colors hover:bg-sunken disabled:cursor-not-allowed disabled:opacity-50 aria-pressed:border-accent aria-pressed:bg-accent/10"
    >
      {children}
    </button>
  );
}

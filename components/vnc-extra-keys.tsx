'use client';

import { Lock } from 'lucide-react';
import type { KeyboardEvent, MouseEvent } from 'react';
import type { VncKeys } from '@/lib/client/vnc-keys-control';
import { EXTRA_KEYS, type ExtraKey } from '@/lib/client/vnc-keys';

// The extra-keys bar (keys a phone lacks and keys the browser keeps for itself: Esc, Tab, F-keys, Super,
// Ctrl-Alt-Del) and the toolbar's two buttons: show the bar, open the phone's keyboard.
//
// Pressing a button of the bar must not take the focus: the phone's keyboard closes when its field loses
// it, and the desktop stops getting the physical keyboard's keys. So mousedown's default (focusing) is
// prevented; keyboard users still reach every button with Tab.

const keepFocus = (event: MouseEvent) => event.preventDefault();

// A little space before each group: modifiers, Esc to arrows, the navigation block, F-keys, Ctrl-Alt-Del.
const GROUP_STARTS = new Set(['Escape', 'Home', 'F1', 'Send Ctrl-Alt-Del']);

const LATCH_LOOK = {
  off: 'border-line-strong bg-surface text-ink hover:bg-sunken',
  latched: 'border-accent bg-accent/15 text-ink ring-1 ring-accent',
  locked: 'border-accent bg-accent text-accent-ink',
} as const;

// One Tab stop for the whole bar, arrows between its keys (the ARIA toolbar pattern): 28 keys are too
// many to Tab through on the way to the desktop.
function moveFocus(event: KeyboardEvent<HTMLDivElement>) {
  const buttons = [...event.currentTarget.querySelectorAll('button')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (at < 0 || to === undefined) return;
  event.preventDefault();
  const next = buttons[(to + buttons.length) % buttons.length];
  for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
  next.focus();
}

/**
 * The bar (when open) and the on-screen keyboard's hidden field, which stays mounted wherever the toolbar's
 * buttons are (a menu that closes must not take the field, and the phone's keyboard, with it).
 */
export function VncExtraKeys({ keys }: { keys: VncKeys }) {
  return (
    <>
      <KeyboardField keys={keys} />
      {keys.barOpen ? <ExtraKeysBar keys={keys} /> : null}
    </>
  );
}

// What the phone's keyboard types into: invisible, and in the window so focusing it scrolls nothing.
function KeyboardField({ keys }: { keys: VncKeys }) {
  return (
    <textarea
      ref={keys.field.ref}
      aria-label="On-screen keyboard input"
      data-testid="keyboard-input"
      tabIndex={-1}
      autoCapitalize="off"
      autoComplete="off"
      autoCorrect="off"
      spellCheck={false}
      rows={1}
      onInput={keys.field.onInput}
      onKeyDown={keys.field.onKeyDown}
      onFocus={keys.field.onFocus}
      onBlur={keys.field.onBlur}
      className="pointer-events-none fixed top-0 left-0 size-px resize-none overflow-hidden border-0 p-0 opacity-0"
    />
  );
}

function ExtraKeysBar({ keys }: { keys: VncKeys }) {
  return (
    <div
      role="toolbar"
      aria-label="Extra keys"
      data-testid="extra-keys"
      onKeyDown={moveFocus}
      className="flex h-10 shrink-0 items-center gap-1 overflow-x-auto lg:h-auto lg:min-h-10 lg:flex-wrap lg:gap-0.5 lg:py-1.5 overscroll-x-contain border-b border-line bg-surface px-2 [scrollbar-width:thin]"
    >
      {EXTRA_KEYS.map((k, i) => (
        <ExtraKeyButton key={k.name} extra={k} keys={keys} first={i === 0} />
      ))}
    </div>
  );
}

function ExtraKeyButton({ extra, keys, first }: { extra: ExtraKey; keys: VncKeys; first: boolean }) {
  const tabIndex = first ? 0 : -1;
  const base = 'inline-flex h-7 min-w-9 shrink-0 items-center justify-center gap-1 rounded-md border px-2 font-mono lg:min-w-7 lg:px-1 text-xs font-medium whitespace-nowrap shadow-xs transition-colors disabled:cursor-not-allowed disabled:opacity-50';
  if (extra.kind === 'modifier') {
    const state = keys.modifier(extra.modifier);
    const says = state === 'locked' ? `${extra.name}, locked` : state === 'latched' ? `${extra.name}, held for the next key` : `${extra.name}: tap for the next key, tap twice to lock`;
    return (
      <button
        type="button"
        tabIndex={tabIndex}
        aria-pressed={state !== 'off'}
        aria-label={extra.name}
        title={says}
        data-latch={state}
        disabled={!keys.live}
        onMouseDown={keepFocus}
        onClick={() => keys.tapModifier(extra.modifier)}
        className={`${base} ${LATCH_LOOK[state]}`}
      >
        {extra.label}
        {state === 'locked' ? <Lock aria-hidden className="size-3" /> : null}
      </button>
    );
  }
  const look = `${base} ${LATCH_LOOK.off} ${GROUP_STARTS.has(extra.name) ? 'ml-1.5' : ''}`;
  if (extra.kind === 'ctrl-alt-del') {
    return (
      <button type="button" tabIndex={tabIndex} aria-label={extra.name} disabled={!keys.live} onMouseDown={keepFocus} onClick={keys.ctrlAltDel} className={look}>
        {extra.label}
      </button>
    );
  }
  return (
    <button type="button" tabIndex={tabIndex} aria-label={extra.name} title={extra.name} disabled={!keys.live} onMouseDown={keepFocus} onClick={() => keys.press(extra.keysym, extra.code)} className={look}>
      {extra.label}
    </button>
  );
}


'use client';

import { Menu } from 'lucide-react';
import { useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { LucideIcon } from 'lucide-react';

// The viewer's toolbar: the connection state and desktop name on the left, the controls on the right. Wide,
// each control is a button (labelled from 1024 px, icon-only with a tooltip below that); narrow (under
// 640 px), they fold into one menu. A control is one record in the `items` list, so adding one (the
// clipboard, the on-screen keyboard) is one line where the list is made.

export type ToolbarItem = {
  /** Stable and unique: the React key and the test id (`toolbar-<id>`). */
  id: string;
  label: string;
  icon: LucideIcon;
  onSelect(): void;
  /** A toggle: its state is shown (aria-pressed on the button, a check in the menu). */
  pressed?: boolean;
  /** Shown but not usable; `why` says why (as the tooltip and to screen readers), so it stays focusable. */
  disabled?: boolean;
  why?: string;
  /** The tooltip when the label is not shown; defaults to the label. */
  title?: string;
  /** The visible words when the accessible name (`label`) is longer than a toolbar has room for. */
  text?: string;
  /** A button even on narrow screens, never folded into the menu (the phone's on-screen keyboard). */
  pinned?: boolean;
  /** Pressing it leaves the focus where it is (the on-screen keyboard's field must keep it to stay open). */
  keepFocus?: boolean;
};

export function VncToolbar({ status, name, items, extra, toolbarRef }: { status: ReactNode; name: string | null; items: ToolbarItem[]; extra?: ReactNode; toolbarRef?: RefObject<HTMLDivElement | null> }) {
  return (
    <div ref={toolbarRef} role="toolbar" aria-label="Viewer" data-testid="vnc-toolbar" onKeyDown={arrowsAlongToolbar} className="flex h-11 shrink-0 items-center gap-2 border-b border-line bg-surface px-2 sm:px-3">
      {status}
      <span className="min-w-0 flex-1 truncate text-xs text-muted" data-testid="desktop-name">
        {name ?? ''}
      </span>
      <div className="hidden items-center gap-1.5 sm:flex">
        {items.map((item) => (
          <ToolbarButton key={item.id} item={item} />
        ))}
      </div>
      {items
        .filter((item) => item.pinned)
        .map((item) => (
          <span key={item.id} className="sm:hidden">
            <ToolbarButton item={item} testId={`toolbar-${item.id}-narrow`} />
          </span>
        ))}
      {extra}
      <ToolbarMenu items={items.filter((item) => !item.pinned)} />
    </div>
  );
}

/** Left / Right (and Home / End) move between the toolbar's visible buttons, as in a toolbar; Tab still works. */
function arrowsAlongToolbar(e: KeyboardEvent<HTMLDivElement>) {
  const from = e.target as HTMLElement;
  // Inside a menu or panel the arrows are theirs (a slider, the menu's own Up / Down).
  if (from.tagName !== 'BUTTON' || from.closest('[popover]')) return;
  const all = [...e.currentTarget.querySelectorAll('button')].filter((b) => !b.closest('[popover]') && b.checkVisibility());
  const at = all.indexOf(from as HTMLButtonElement);
  const go = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[e.key];
  if (go === undefined || at < 0) return;
  e.preventDefault();
  all[(go + all.length) % all.length].focus();
}

export const toolbarButtonClass =
  'inline-flex h-7 items-center gap-1.5 rounded-md border border-line-strong bg-surface px-2 text-xs font-medium whitespace-nowrap text-ink shadow-xs transition-colors hover:bg-sunken focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-accent aria-disabled:cursor-not-allowed aria-disabled:opacity-50 aria-pressed:border-accent aria-pressed:bg-accent/15';

function ToolbarButton({ item, testId }: { item: ToolbarItem; testId?: string }) {
  const Icon = item.icon;
  const tip = item.disabled && item.why ? `${item.label}: ${item.why}` : (item.title ?? item.label);
  return (
    <button
      type="button"
      data-testid={testId ?? `toolbar-${item.id}`}
      className={`${toolbarButtonClass} lg:px-2.5`}
      aria-label={item.label}
      aria-description={item.disabled ? item.why : undefined}
      aria-pressed={item.pressed}
      aria-disabled={item.disabled || undefined}
      title={tip}
      onMouseDown={item.keepFocus ? (e) => e.preventDefault() : undefined}
      onClick={() => !item.disabled && item.onSelect()}
    >
      <Icon aria-hidden className="size-3.5" />
      <span className="hidden lg:inline">{item.text ?? item.label}</span>
    </button>
  );
}

/** Narrow screens: the same items as a menu (the Popover API gives it the top layer, Esc and light dismiss). */
function ToolbarMenu({ items }: { items: ToolbarItem[] }) {
  const id = useId();
  const list = useRef<HTMLDivElement>(null);
  const entries = () => [...(list.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]') ?? [])];

  function onKeyDown(e: KeyboardEvent) {
    const all = entries();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    const go = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[e.key];
    if (go === undefined || !all.length) return;
    e.preventDefault();
    all[(go + all.length) % all.length].focus();
  }

  return (
    <>
      <button
        type="button"
        popoverTarget={id}
        aria-haspopup="menu"
        aria-label="Viewer menu"
        title="Viewer menu"
        data-testid="toolbar-menu"
        className={`${toolbarButtonClass} sm:hidden`}
      >
        <Menu aria-hidden className="size-4" />
        Menu
      </button>
      <div
        ref={list}
        id={id}
        popover="auto"
        role="menu"
        aria-label="Viewer"
        onKeyDown={onKeyDown}
        // Focus moves into the menu as it opens, so arrows and Enter work at once.
        onToggle={(e) => (e as unknown as ToggleEvent).newState === 'open' && entries()[0]?.focus()}
        className="inset-auto top-11 right-2 m-0 w-64 rounded-lg border border-line bg-surface p-1 text-ink shadow-lg"
      >
        {items.map((item) => {
          const Icon = item.icon;
          return (
            <button
              key={item.id}
              type="button"
              role={item.pressed === undefined ? 'menuitem' : 'menuitemcheckbox'}
              aria-checked={item.pressed}
              aria-disabled={item.disabled || undefined}
              aria-description={item.disabled ? item.why : undefined}
              data-testid={`menu-${item.id}`}
              className="flex w-full items-center gap-2.5 rounded-md px-2.5 py-2 text-left text-sm hover:bg-sunken focus-visible:bg-sunken focus-visible:outline-2 focus-visible:outline-accent aria-disabled:opacity-50"
              onClick={() => {
                if (item.disabled) return;
                list.current?.hidePopover();
                item.onSelect();
              }}
            >
              <Icon aria-hidden className="size-4 shrink-0" />
              <span className="min-w-0 flex-1">
                {item.label}
                {item.disabled && item.why ? <span className="block text-xs text-muted">{item.why}</span> : null}
              </span>
              {item.pressed !== undefined ? <span aria-hidden className={`size-2 rounded-full ${item.pressed ? 'bg-accent' : 'border border-line-strong'}`} /> : null}
            </button>
          );
        })}
      </div>
    </>
  );
}

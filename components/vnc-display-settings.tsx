'use client';

import { SlidersHorizontal } from 'lucide-react';
import { useId, useRef } from 'react';
import { VIEWER_LEVEL_MAX, VIEWER_LEVEL_MIN, type ViewerPreferences, type ViewerScaling } from '@/lib/protocol/preferences';
import type { SaveState } from '@/lib/client/vnc-preferences';
import { toolbarButtonClass } from './vnc-toolbar';

// Scaling, quality and compression: a small panel from the toolbar. Every change applies at once to the
// live desktop (no reconnect) and is saved to the user's preferences.

const SCALING: { mode: ViewerScaling; label: string; hint: string }[] = [
  { mode: 'fit', label: 'Fit to window', hint: 'The whole desktop, scaled to the window.' },
  { mode: 'actual', label: '1:1 with scrollbars', hint: 'Pixel for pixel; scroll to see the rest.' },
  { mode: 'remote', label: 'Resize the VM', hint: "The VM's desktop takes the window's size." },
];

export function VncDisplaySettings({ prefs, save, onChange }: { prefs: ViewerPreferences; save: SaveState; onChange(patch: Partial<ViewerPreferences>): void }) {
  const id = useId();
  const panel = useRef<HTMLDivElement>(null);
  return (
    <>
      <button type="button" popoverTarget={id} aria-haspopup="dialog" aria-label="Display settings" title="Display: scaling, quality, compression" data-testid="toolbar-display" className={toolbarButtonClass}>
        <SlidersHorizontal aria-hidden className="size-3.5" />
        <span className="hidden lg:inline">Display</span>
      </button>
      <div
        ref={panel}
        id={id}
        popover="auto"
        role="dialog"
        aria-label="Display settings"
        onToggle={(e) => (e as unknown as ToggleEvent).newState === 'open' && panel.current?.querySelector<HTMLInputElement>('input:checked')?.focus()}
        className="inset-auto top-11 right-2 m-0 w-72 max-w-[calc(100vw-1rem)] space-y-4 rounded-lg border border-line bg-surface p-4 text-ink shadow-lg"
      >
        <fieldset className="space-y-1.5">
          <legend className="mb-1.5 text-xs font-semibold text-muted uppercase">Scaling</legend>
          {SCALING.map((s) => (
            <label key={s.mode} className="flex cursor-pointer items-start gap-2 rounded-md px-1.5 py-1 text-sm hover:bg-sunken has-focus-visible:outline-2 has-focus-visible:outline-accent">
              <input type="radio" name={`${id}-scaling`} value={s.mode} checked={prefs.scaling === s.mode} onChange={() => onChange({ scaling: s.mode })} className="mt-1 accent-accent focus-visible:outline-none" />
              <span>
                {s.label}
                <span className="block text-xs text-muted">{s.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <Level label="Quality" hint="Higher looks better and sends more." value={prefs.quality} onChange={(quality) => onChange({ quality })} />
        <Level label="Compression" hint="Higher sends less and costs the VM more work." value={prefs.compression} onChange={(compression) => onChange({ compression })} />
        <p role="status" className={`text-xs ${save.state === 'failed' ? 'text-danger' : 'text-muted'}`} data-testid="display-save">
          {save.state === 'failed' ? save.sentence : save.state === 'saving' ? 'Saving…' : save.state === 'saved' ? 'Saved for your account.' : 'Remembered for your account.'}
        </p>
      </div>
    </>
  );
}

function Level({ label, hint, value, onChange }: { label: string; hint: string; value: number; onChange(v: number): void }) {
  const id = useId();
  return (
    <div className="space-y-1">
      <div className="flex items-baseline justify-between text-sm">
        <label htmlFor={id}>{label}</label>
        <output htmlFor={id} className="font-mono text-xs text-muted tabular-nums">
          {value} / {VIEWER_LEVEL_MAX}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={VIEWER_LEVEL_MIN}
        max={VIEWER_LEVEL_MAX}
        step={1}
        value={value}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(Number(e.target.value))}
        className="block w-full accent-accent"
      />
      <p id={`${id}-hint`} className="text-xs text-muted">
        {hint}
      </p>
    </div>
  );
}

'use client';

import { Shrink } from 'lucide-react';
import type { VncTouch } from '@/lib/client/vnc-touch';

// Shown over the desktop while it is pinched larger than fit: how much, and the way back to the whole
// desktop (a button, so it is reachable without a second finger).
export function VncZoomBadge({ touch }: { touch: VncTouch }) {
  if (touch.zoom <= 1) return null;
  return (
    <button
      type="button"
      onClick={touch.reset}
      data-testid="zoom-badge"
      data-zoom={touch.zoom.toFixed(2)}
      aria-label={`Zoomed to ${Math.round(touch.zoom * 100)}%: show the whole desktop`}
      className="absolute top-2 right-2 z-10 inline-flex h-7 items-center gap-1.5 rounded-full border border-white/15 bg-zinc-950/80 px-2.5 text-xs font-medium text-zinc-100 shadow-sm backdrop-blur hover:bg-zinc-900"
    >
      <Shrink aria-hidden className="size-3.5" />
      {Math.round(touch.zoom * 100)}% · Fit
    </button>
  );
}

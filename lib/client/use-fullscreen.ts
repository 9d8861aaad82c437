'use client';

import { useCallback, useEffect, useState, type RefObject } from 'react';

// The Fullscreen API on one element (the viewer's root). In the session page the viewer is in a frame,
// which may go fullscreen only when the frame's `allow` says `fullscreen`; where it may not,
// `available` is false and the control says so instead of failing silently.

export type Fullscreen = { available: boolean; active: boolean; toggle(): void; problem: string | null };

export function useFullscreen(target: RefObject<HTMLElement | null>): Fullscreen {
  const [available, setAvailable] = useState(false);
  const [active, setActive] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    setAvailable(document.fullscreenEnabled);
    // Esc (the browser's own way out) ends it too; the state follows whatever ended it.
    const onChange = () => setActive(document.fullscreenElement !== null && document.fullscreenElement === target.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, [target]);

  const toggle = useCallback(() => {
    setProblem(null);
    const el = target.current;
    if (!el) return;
    const done = document.fullscreenElement ? document.exitFullscreen() : el.requestFullscreen({ navigationUI: 'hide' });
    done.catch(() => setProblem('The browser did not allow fullscreen here.'));
  }, [target]);

  return { available, active, toggle, problem };
}

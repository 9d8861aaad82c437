'use client';

import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

// A scrolling box that follows what is appended to it, like a terminal: while `active` it stays at the
// bottom as `height` grows, until the reader scrolls up to read something (`paused`); scrolling back
// down, or `resume()` ("Jump to live"), follows again. A jump elsewhere (a search hit, a linked line)
// calls `pause()`.

// How close to the bottom still counts as "at the bottom" (a fractional scroll position, a line in flight).
const SLACK_PX = 24;

export function useStickToBottom(ref: RefObject<HTMLElement | null>, { active, height, onScrolled }: { active: boolean; height: number; onScrolled?: (el: HTMLElement) => void }) {
  const following = useRef(true);
  const [paused, setPaused] = useState(false);
  const scrolled = useRef(onScrolled);
  scrolled.current = onScrolled;

  const toEnd = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    scrolled.current?.(el);
  }, [ref]);

  useLayoutEffect(() => {
    if (active && following.current) toEnd();
  }, [height, active, toEnd]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK_PX;
    following.current = atEnd;
    setPaused(!atEnd);
  }, [ref]);

  const pause = useCallback(() => {
    following.current = false;
    setPaused(true);
  }, []);

  const resume = useCallback(() => {
    following.current = true;
    setPaused(false);
    toEnd();
  }, [toEnd]);

  return { paused, onScroll, pause, resume };
}

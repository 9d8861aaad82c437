'use client';

import { useCallback, useLayoutEffect, useRef } from 'react';

// A scrolling box that follows what is appended to it, like a terminal: it stays at the bottom as
// content grows, until the reader scrolls up to read something; scrolling back down resumes following.

// How close to the bottom still counts as "at the bottom" (a fractional scroll position, a line in flight).
const SLACK_PX = 24;

export function useStickToBottom<T extends HTMLElement>(content: unknown) {
  const ref = useRef<T>(null);
  const stick = useRef(true);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK_PX;
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [content]);

  return { ref, onScroll };
}

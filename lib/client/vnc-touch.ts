'use client';

import type RFB from '@novnc/novnc';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

// Touch on the desktop the way a phone user expects: pinch zooms the *view* (noVNC's own handling sends
// Ctrl+wheel to the VM instead), a one-finger drag pans while zoomed, taps stay clicks.
//
// noVNC's gesture handler turns touches into `gesturestart` / `gesturemove` / `gestureend` events
// dispatched on its canvas (core/input/gesturehandler.js, @novnc/novnc 1.7). A capture listener on an
// ancestor sees each one first and stops the pinches and the panning drags before noVNC does; everything
// else (taps, long press, two-finger scroll) reaches noVNC unchanged. e2e/vm-phone.spec.ts fails if
// noVNC stops dispatching them that way.
//
// Zooming uses only noVNC's public behaviour: in fit mode it scales the canvas to fit its screen element
// (the one it creates inside ours), so making that element larger than our box, which then scrolls, shows
// the desktop larger; pointer positions stay right because the canvas really is that size.

/** The most a desktop pixel is magnified (2 CSS pixels per desktop pixel), whatever the fit. */
export const MAX_PIXEL_SCALE = 2;

type Size = { w: number; h: number };

/** Where the canvas goes for a zoom of the fitted desktop: the box to scroll, the scale, its offset in the box. */
export function zoomLayout(view: Size, desktop: Size, zoom: number): { box: Size; scale: number; left: number; top: number } {
  const fit = Math.min(view.w / desktop.w, view.h / desktop.h);
  const scale = fit * zoom;
  const w = desktop.w * scale;
  const h = desktop.h * scale;
  const box = { w: Math.max(view.w, w), h: Math.max(view.h, h) };
  // noVNC centres its canvas in its screen element (flex, margin auto).
  return { box, scale, left: (box.w - w) / 2, top: (box.h - h) / 2 };
}

/** The largest zoom for this view and desktop: never below fit, never past MAX_PIXEL_SCALE. */
export function maxZoom(view: Size, desktop: Size): number {
  const fit = Math.min(view.w / desktop.w, view.h / desktop.h);
  return fit > 0 ? Math.max(1, MAX_PIXEL_SCALE / fit) : 1;
}

type GestureDetail = { type: string; clientX: number; clientY: number; magnitudeX: number; magnitudeY: number };

export type VncTouch = {
  /** 1 is the whole desktop fitted to the frame. */
  zoom: number;
  /** Back to the whole desktop; call it before leaving fit mode (1:1, remote resize). */
  reset(): void;
};

export function useVncTouch(screen: RefObject<HTMLElement | null>, rfb: () => RFB | null, live: boolean): VncTouch {
  const [zoom, setZoom] = useState(1);
  const current = useRef(1);

  const apply = useCallback(
    (next: number, anchor?: { x: number; y: number }) => {
      const target = screen.current;
      const inner = target?.firstElementChild as HTMLElement | null | undefined;
      const canvas = inner?.querySelector('canvas');
      if (!target || !inner || !canvas || !canvas.width || !canvas.height) return;
      const view = { w: target.clientWidth, h: target.clientHeight };
      const desktop = { w: canvas.width, h: canvas.height };
      const zoomTo = Math.min(Math.max(next, 1), maxZoom(view, desktop));
      const rect = target.getBoundingClientRect();
      const before = zoomLayout(view, desktop, current.current);
      const after = zoomLayout(view, desktop, zoomTo);
      // The desktop point under the anchor (the pinch's centre) stays under it.
      const ax = anchor ? anchor.x - rect.left : view.w / 2;
      const ay = anchor ? anchor.y - rect.top : view.h / 2;
      const dx = (target.scrollLeft + ax - before.left) / before.scale;
      const dy = (target.scrollTop + ay - before.top) / before.scale;
      current.current = zoomTo;
      if (zoomTo === 1) {
        inner.style.width = '100%';
        inner.style.height = '100%';
        target.style.overflow = '';
      } else {
        inner.style.width = `${after.box.w}px`;
        inner.style.height = `${after.box.h}px`;
        target.style.overflow = 'hidden';
        target.scrollLeft = after.left + dx * after.scale - ax;
        target.scrollTop = after.top + dy * after.scale - ay;
      }
      setZoom(zoomTo);
    },
    [screen],
  );

  useEffect(() => {
    const target = screen.current;
    if (!target) return;
    let pinch: { zoom: number; distance: number } | null = null;
    let pan: { x: number; y: number } | null = null;

    // What a one-finger drag pans, if anything: our box when zoomed, noVNC's own when it shows 1:1.
    const scroller = (): HTMLElement | null => {
      if (current.current > 1) return target;
      const inner = target.firstElementChild as HTMLElement | null;
      return inner && (inner.scrollWidth > inner.clientWidth || inner.scrollHeight > inner.clientHeight) ? inner : null;
    };

    const onGesture = (event: Event) => {
      const { type, clientX, clientY, magnitudeX, magnitudeY } = (event as CustomEvent<GestureDetail>).detail;
      // The viewer left fit (1:1, remote resize) while zoomed: its own scrolling takes over again.
      if (current.current > 1 && !(rfb()?.scaleViewport ?? false)) apply(1);
      if (type === 'pinch') {
        event.stopPropagation();
        // Only the fitted view zooms; 1:1 and remote resize already show desktop pixels as they are.
        if (!(rfb()?.scaleViewport ?? false)) return;
        const distance = Math.hypot(magnitudeX, magnitudeY);
        if (event.type === 'gesturestart') pinch = { zoom: current.current, distance: Math.max(distance, 1) };
        else if (event.type === 'gesturemove' && pinch) apply((pinch.zoom * distance) / pinch.distance, { x: clientX, y: clientY });
        else pinch = null;
        return;
      }
      if (type !== 'drag') return;
      if (event.type === 'gesturestart') pan = scroller() ? { x: clientX, y: clientY } : null;
      if (!pan) return;
      event.stopPropagation();
      const el = scroller();
      if (el && event.type === 'gesturemove') {
        el.scrollLeft += pan.x - clientX;
        el.scrollTop += pan.y - clientY;
        pan = { x: clientX, y: clientY };
      }
      if (event.type === 'gestureend') pan = null;
    };

    const types = ['gesturestart', 'gesturemove', 'gestureend'];
    for (const t of types) target.addEventListener(t, onGesture, true);
    // A rotated phone or a resized window: the same zoom of the new fit.
    const resized = new ResizeObserver(() => {
      if (current.current > 1) apply(current.current);
    });
    resized.observe(target);
    return () => {
      for (const t of types) target.removeEventListener(t, onGesture, true);
      resized.disconnect();
    };
  }, [screen, rfb, apply]);

  // A new connection draws a new canvas at fit.
  useEffect(() => {
    current.current = 1;
    setZoom(1);
    const target = screen.current;
    if (target) target.style.overflow = '';
  }, [live, screen]);

  return { zoom, reset: useCallback(() => apply(1), [apply]) };
}

// The Content-Security-Policy of every answer, in one place: proxy.ts (pages, inside Next's bundler) and
// security-headers.ts (everything server.ts answers) both read it, so this module imports nothing.

/** The request header server.ts sets (always, overwriting the client's) to tell proxy.ts the preview origin. */
export const PREVIEW_ORIGIN_HEADER = 'x-portico-preview-origin';

/** JSON, SSE and plain-text answers: nothing in them may load, run or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The pages: scripts only with this request's nonce (Next puts it on its own scripts when it finds it in
 * the request's policy), and what those scripts load ('strict-dynamic'). Styles may be inline: React
 * renders `style` attributes, and a nonce on style-src would turn 'unsafe-inline' off. frame-ancestors
 * 'self' lets the session page frame the VNC viewer and nobody else frame anything. connect-src 'self'
 * covers ws:// and wss:// to the same host (CSP 3), which is where every socket goes (design.md).
 * Development adds 'unsafe-eval', which React's dev build uses for its error overlays and stacks.
 */
export function pageCsp(nonce: string, dev: boolean, previewOrigin?: string | null): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    // The built app runs in an iframe from the preview origin (issue 11, point 10), and only from there.
    `frame-src 'self'${previewOrigin ? ` ${previewOrigin}` : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * Everything the preview origin serves (files a build wrote: untrusted). `sandbox` without
 * allow-same-origin gives the document an opaque origin, in an iframe and in a tab of its own alike: no
 * cookies, no storage, nothing of the dashboard's. It loads only from its own folder, connects nowhere,
 * submits nowhere, and only the dashboard that asked for it may frame it.
 */
export function previewCsp(frameAncestor: string | null): string {
  return [
    'sandbox allow-scripts allow-forms allow-modals',
    "default-src 'none'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "media-src 'self'",
    "connect-src 'none'",
    `frame-ancestors ${frameAncestor ?? "'none'"}`,
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

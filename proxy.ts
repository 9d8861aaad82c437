import { NextResponse, type NextRequest } from 'next/server';
import { PREVIEW_ORIGIN_HEADER, pageCsp } from './lib/http/content-security-policy';

// Next 16's proxy (the renamed middleware) runs before every page: a fresh nonce per request, put in the
// request's Content-Security-Policy so Next stamps it on its own scripts while rendering, and in the
// response's so the browser runs only those. Pages render per request for this (app/layout.tsx); a page
// prerendered at build time could carry no nonce. The other headers come from server.ts.

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  // server.ts sets this header on every page request (a client's own value never survives), so the pages
  // may frame the built app from the preview origin and nothing else.
  const csp = pageCsp(nonce, process.env.NODE_ENV === 'development', request.headers.get(PREVIEW_ORIGIN_HEADER));
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    // Pages only: the API and socket routes are answered by server.ts, static files need no policy of
    // their own (they keep server.ts's), and prefetches are not documents.
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};

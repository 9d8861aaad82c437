'use client';

import { ArrowLeft, ExternalLink, Trash2 } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { PublicSession } from '@/lib/protocol/api';
import { apiRequest } from '@/lib/client/api';
import { useApiData } from '@/lib/client/use-api-data';
import { HTTP_ERRORS } from '@/lib/errors/http-errors';
import { Button } from './button';
import { CreatedAt } from './created-at';
import { DeleteSessionDialog } from './delete-session-dialog';
import { LoadError } from './load-error';
import { MissingResource } from './missing-resource';
import { PageTitle } from './page-title';
import { SESSION_KIND } from './sessions-panel';
import { SessionStatusBadge } from './session-status-badge';
import type { VncFrameMessage } from './vnc-viewer';

// Toolbar of the viewer (2.75rem) on top of a 16:10 desktop: with the frame this tall at a given width,
// the desktop fills it edge to edge. The height is also capped to what is left of the window, so the
// desktop scales down instead of pushing the page into a scrollbar.
// On a phone (portrait, narrow) that would leave the desktop a strip: there the frame takes most of the
// window instead (up to 36rem), room for the extra-keys bar and for the desktop to be pinched larger.
const FRAME_HEIGHT = 'max(min(calc(62.5cqw + 2.75rem), max(calc(100dvh - 11rem), 24rem)), min(calc(100dvh - 14rem), 36rem, 160cqw))';

// On a large screen the desktop is worth more room than the dashboard's column: as wide as the desktop
// can be shown at the window's height (16:10 below the chrome), up to 88rem, never closer than 1.5rem to
// the window's edges, and never narrower than the column. Centred on the column by negative margins.
const WIDE_WIDTH = 'max(100%, min(100vw - 3rem, 88rem, (100dvh - 13.75rem) * 1.6))';
const WIDE = { width: WIDE_WIDTH, marginInline: `calc((100% - ${WIDE_WIDTH}) / 2)` };

export function SessionView({ sessionId }: { sessionId: string }) {
  const router = useRouter();
  const path = `/api/sessions/${encodeURIComponent(sessionId)}`;
  const { result, update, retry } = useApiData<PublicSession>(path);
  const [confirming, setConfirming] = useState(false);

  // The viewer says when its connection changes (the VM stopped, came back): read the session again then,
  // so the state shown here is the server's, not a guess.
  useEffect(() => {
    const ctrl = new AbortController();
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== window.location.origin) return;
      const data = event.data as Partial<VncFrameMessage> | null;
      if (data?.type !== 'portico:vnc' || data.sessionId !== sessionId) return;
      apiRequest<PublicSession>(path, { signal: ctrl.signal }).then(
        (s) => update(() => s),
        () => undefined,
      );
    };
    window.addEventListener('message', onMessage);
    return () => {
      window.removeEventListener('message', onMessage);
      ctrl.abort();
    };
  }, [path, sessionId, update]);

  const back = (
    <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm text-muted hover:text-ink">
      <ArrowLeft aria-hidden className="size-4" />
      Dashboard
    </Link>
  );

  if (result.state === 'loading') {
    return (
      <div className="space-y-4">
        <PageTitle parts={['VM session']} />
        {back}
        <p role="status" className="animate-appear text-sm text-muted">
          Loading the session…
        </p>
      </div>
    );
  }

  if (result.state === 'error') {
    // Unknown, malformed or someone else's: one sentence for the page, which never tells them apart.
    if (result.status === 400 || result.status === 403 || result.status === 404) {
      return (
        <>
          <PageTitle parts={['Not found']} />
          <MissingResource sentence={HTTP_ERRORS.no_such_session.message} />
        </>
      );
    }
    return (
      <div className="max-w-lg space-y-4">
        <PageTitle parts={['VM session']} />
        {back}
        <div className="-mx-5">
          <LoadError message={result.message} status={result.status} onRetry={retry} />
        </div>
      </div>
    );
  }

  const session = result.data;
  return (
    <div className="space-y-4" style={WIDE}>
      <PageTitle parts={[session.name]} />
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        {/* A row of its own on a phone, so the name keeps room beside the way back. */}
        <div className="flex min-w-0 flex-1 basis-full items-center gap-3 sm:basis-0">
          {back}
          <span aria-hidden className="h-4 w-px bg-line-strong" />
          <h1 className="min-w-0 truncate text-lg font-semibold tracking-tight text-ink">{session.name}</h1>
          <span data-testid="session-status">
            <SessionStatusBadge status={session.status} />
          </span>
          <span className="hidden text-xs text-muted sm:inline">
            {SESSION_KIND[session.kind]} · <CreatedAt ms={session.createdAt} />
          </span>
        </div>
        <div className="flex items-center gap-2">
          <a
            href={`/vnc/${encodeURIComponent(session.id)}`}
            target="_blank"
            rel="noopener"
            className="inline-flex h-9 items-center gap-1.5 rounded-md px-3 text-sm font-medium text-muted hover:bg-sunken hover:text-ink"
          >
            <ExternalLink aria-hidden className="size-4" />
            Open in a new tab
          </a>
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            <Trash2 aria-hidden className="size-4" />
            Delete
          </Button>
        </div>
      </div>
      <div className="@container overflow-hidden rounded-xl border border-line bg-zinc-900 shadow-xs">
        <iframe
          src={`/vnc/${encodeURIComponent(session.id)}`}
          title={`Desktop of ${session.name}`}
          // Paste reads the clipboard from inside the frame; without this the browser always says no.
          allow="clipboard-read; clipboard-write"
          className="block w-full border-0"
          style={{ height: FRAME_HEIGHT }}
        />
      </div>
      <DeleteSessionDialog
        session={confirming ? session : null}
        onCancel={() => setConfirming(false)}
        onDeleted={() => router.push('/')}
      />
    </div>
  );
}

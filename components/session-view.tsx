'use client';

import { ArrowLeft, ExternalLink, FolderOpen, Play, Trash2 } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import type { PublicSession } from '@/lib/protocol/api';
import type { SessionChange } from '@/lib/protocol/hub';
import { SESSIONS_TOPIC } from '@/lib/protocol/topics';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { useHubTopic } from '@/lib/client/use-hub-topic';
import { useApiData } from '@/lib/client/use-api-data';
import { HTTP_ERRORS } from '@/lib/errors/http-errors';
import { Button } from './button';
import { CreatedAt } from './created-at';
import { DeleteSessionDialog } from './delete-session-dialog';
import { ErrorSentence } from './error-sentence';
import { SessionFilesDialog } from './session-files';
import { LoadError } from './load-error';
import { MissingResource } from './missing-resource';
import { PageTitle } from './page-title';
import { SESSION_KIND } from './sessions-panel';
import { SessionStatusBadge } from './session-status-badge';
import { SessionShare } from './session-share';
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
  const [filesOpen, setFilesOpen] = useState(false);
  // Deleted while this page was open (another tab, an admin): said as such, never as "Running".
  const [deleted, setDeleted] = useState(false);

  // Read the session again; a 404 now means it went away since the page loaded.
  const reread = useCallback(
    (signal?: AbortSignal) =>
      apiRequest<PublicSession>(path, { signal }).then(
        (s) => update(() => s),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) setDeleted(true);
        },
      ),
    [path, update],
  );

  // The badge follows the session live: the hub's `sessions` topic carries every change to it.
  useHubTopic({
    topic: SESSIONS_TOPIC,
    onSync: () => void reread(),
    onEvent(data) {
      const change = data as SessionChange | null;
      if (change?.session?.id !== sessionId) return;
      if (change.change === 'deleted') setDeleted(true);
      else update(() => change.session);
    },
  });

  // The viewer says when its connection changes (the VM stopped, came back): read the session again then,
  // so the state shown here is the server's, not a guess.
  useEffect(() => {
    const ctrl = new AbortController();
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== window.location.origin) return;
      const data = event.data as Partial<VncFrameMessage> | null;
      if (data?.type !== 'portico:vnc' || data.sessionId !== sessionId) return;
      void reread(ctrl.signal);
    };
    window.addEventListener('message', onMessage);
    return () => {
      window.removeEventListener('message', onMessage);
      ctrl.abort();
    };
  }, [sessionId, reread]);

  const back = (
    <Link href="/" className="inline-flex items-center gap-1.5 rounded-md text-sm text-muted hover:text-ink">
      <ArrowLeft aria-hidden className="size-4" />
      {/* Only the arrow on a phone: the session's name needs the room. */}
      <span className="max-sm:sr-only">Dashboard</span>
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

  // Only a session this page has shown can be deleted under it; an unknown id is the sentence above.
  if (deleted) {
    return (
      <>
        <PageTitle parts={['Deleted']} />
        <div data-testid="session-deleted">
          <MissingResource sentence="This VM session was deleted.">It was deleted elsewhere (another tab, or an admin); its desktop and home are gone.</MissingResource>
        </div>
      </>
    );
  }

  const session = result.data;
  const local = session.kind === 'local';
  // A user of a share link works in the desktop only: files, start, share and delete are the owner's.
  const owner = session.access === undefined || session.access === 'owner';
  return (
    <div className="space-y-4" style={WIDE}>
      <PageTitle parts={[session.name]} />
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        {/* A row of its own on a phone, so the name keeps room beside the way back. */}
        <div data-testid="session-header-title" className="flex min-w-0 flex-1 basis-full items-center gap-3 sm:basis-0">
          {back}
          <span aria-hidden className="h-4 w-px shrink-0 bg-line-strong" />
          <h1 className="min-w-0 truncate text-lg font-semibold tracking-tight text-ink">{session.name}</h1>
          <span data-testid="session-status" className="shrink-0">
            <SessionStatusBadge status={session.status} />
          </span>
          <span className="hidden shrink-0 text-xs text-muted lg:inline">
            {SESSION_KIND[session.kind]} · <CreatedAt ms={session.createdAt} />
          </span>
        </div>
        <div data-testid="session-header-actions" className="flex min-w-0 flex-wrap items-center gap-2">
          {local && owner ? (
            <Button variant="secondary" aria-label="Files" onClick={() => setFilesOpen(true)} disabled={session.status !== 'running'} title={session.status === 'running' ? 'Files in the VM\'s home' : 'Start the VM to move files'}>
              <FolderOpen aria-hidden className="size-4" />
              {/* Icons only on a phone, so the header's actions keep to one row. */}
              <span className="hidden sm:inline">Files</span>
            </Button>
          ) : null}
          <SessionShare session={session} />
          <a
            href={`/vnc/${encodeURIComponent(session.id)}`}
            target="_blank"
            rel="noopener"
            aria-label="Open in a new tab"
            className="inline-flex h-9 items-center gap-1.5 rounded-md px-3 text-sm font-medium whitespace-nowrap text-muted hover:bg-sunken hover:text-ink"
          >
            <ExternalLink aria-hidden className="size-4" />
            <span className="sm:hidden">New tab</span>
            <span className="hidden sm:inline">Open in a new tab</span>
          </a>
          {owner ? (
            <Button variant="secondary" aria-label="Delete" title="Delete this session" onClick={() => setConfirming(true)}>
              <Trash2 aria-hidden className="size-4" />
              <span className="hidden sm:inline">Delete</span>
            </Button>
          ) : null}
        </div>
      </div>
      {local && owner && (session.status === 'stopped' || session.status === 'failed') ? <StoppedNotice session={session} onStarted={(s) => update(() => s)} /> : null}
      <div className="@container overflow-hidden rounded-xl border border-line bg-zinc-900 shadow-xs">
        <iframe
          // A new desktop is a new connection at once, instead of after the viewer's backoff.
          key={session.desktopStartedAt ?? 0}
          src={`/vnc/${encodeURIComponent(session.id)}`}
          title={`Desktop of ${session.name}`}
          // Paste reads the clipboard from inside the frame; without this the browser always says no.
          allow="clipboard-read; clipboard-write; fullscreen"
          className="block w-full border-0"
          style={{ height: FRAME_HEIGHT }}
        />
      </div>
      {local && owner ? <SessionFilesDialog sessionId={session.id} open={filesOpen && session.status === 'running'} onClose={() => setFilesOpen(false)} /> : null}
      <DeleteSessionDialog
        session={confirming ? session : null}
        onCancel={() => setConfirming(false)}
        onDeleted={() => router.push('/')}
      />
    </div>
  );
}

/** A local VM that is not running: since when, what was kept, and a way to start it again. */
function StoppedNotice({ session, onStarted }: { session: PublicSession; onStarted(s: PublicSession): void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ended = session.desktopEndedAt ? new Date(session.desktopEndedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
  async function start() {
    setPending(true);
    setError(null);
    try {
      onStarted(await apiRequest<PublicSession>(`/api/sessions/${encodeURIComponent(session.id)}/start`, { method: 'POST' }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }
  return (
    <div role="status" data-testid="session-stopped" className="flex flex-wrap items-center gap-3 rounded-lg border border-line bg-sunken/60 px-4 py-3 text-sm">
      <p className="min-w-0 flex-1 text-ink">
        {session.status === 'failed' ? 'The VM could not be started again.' : `The VM stopped${ended ? ` at ${ended}` : ''}.`}{' '}
        <span className="text-muted">The files in its home are kept; starting it again gives a new desktop.</span>
      </p>
      <Button onClick={() => void start()} disabled={pending}>
        <Play aria-hidden className="size-4" />
        {pending ? 'Starting…' : 'Start again'}
      </Button>
      {error ? <ErrorSentence className="basis-full">{error}</ErrorSentence> : null}
    </div>
  );
}

'use client';

import { Eye, MonitorPlay, MousePointer2 } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ShareInvite } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { useApiData } from '@/lib/client/use-api-data';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { LoadError } from './load-error';
import { MissingResource } from './missing-resource';
import { PageTitle } from './page-title';

// What a share link gives, in words, before anything is granted: whose session, watch or work, until
// when. Accepting is a click (a link alone, prefetched by a chat app's preview, grants nothing).

const GIVES = {
  'view-only': { Icon: Eye, title: 'You can watch', text: 'You will see the desktop live. Your keys and mouse do nothing in it.' },
  interactive: { Icon: MousePointer2, title: 'You can work in this desktop', text: 'You can type and click in the desktop, as its owner does.' },
} as const;

export function SessionShareInvite({ token }: { token: string }) {
  const router = useRouter();
  const { result, retry } = useApiData<ShareInvite>(`/api/shares/${encodeURIComponent(token)}`);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (result.state === 'loading') {
    return (
      <p role="status" className="animate-appear text-sm text-muted">
        Reading the share link…
      </p>
    );
  }
  if (result.state === 'error') {
    if (result.status === 404) return <MissingResource sentence={result.message}>Ask the session&apos;s owner for a new link.</MissingResource>;
    return (
      <div className="-mx-5 max-w-lg">
        <LoadError message={result.message} status={result.status} onRetry={retry} />
      </div>
    );
  }

  const invite = result.data;
  const gives = GIVES[invite.rights];
  const until = new Date(invite.expiresAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  async function accept() {
    setPending(true);
    setError(null);
    try {
      const r = await apiRequest<{ sessionId: string }>(`/api/shares/${encodeURIComponent(token)}/accept`, { method: 'POST' });
      router.push(`/sessions/${encodeURIComponent(r.sessionId)}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
      setPending(false);
    }
  }

  return (
    <div className="mx-auto max-w-lg space-y-5 pt-4">
      <PageTitle parts={['Shared session']} />
      <div className="space-y-1">
        <p className="text-sm text-muted">A VM session shared with you</p>
        <h1 className="text-xl font-semibold tracking-tight break-words text-ink">{invite.sessionName}</h1>
        <p className="text-sm text-muted">
          Shared by <span className="font-medium text-ink">{invite.ownerName}</span>
        </p>
      </div>
      <div className="flex gap-3 rounded-xl border border-line bg-surface p-4 shadow-xs">
        <span aria-hidden className="grid size-9 shrink-0 place-items-center rounded-full bg-sunken text-ink">
          <gives.Icon className="size-4" />
        </span>
        <div className="space-y-1 text-sm">
          <p className="font-medium text-ink" data-testid="share-gives">
            {gives.title}
          </p>
          <p className="text-muted">{gives.text}</p>
          {invite.state === 'active' ? <p className="text-muted">The link works until {until}, unless {invite.ownerName} revokes it first.</p> : null}
        </div>
      </div>
      {invite.state === 'revoked' ? <ErrorSentence>This share link was revoked by the session&apos;s owner.</ErrorSentence> : null}
      {invite.state === 'expired' ? <ErrorSentence>This share link has expired; ask the owner for a new one.</ErrorSentence> : null}
      {invite.own ? <p className="text-sm text-muted">This is your own session: the link is for someone else.</p> : null}
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}
      {invite.state === 'active' ? (
        <Button onClick={() => void accept()} disabled={pending}>
          <MonitorPlay aria-hidden className="size-4" />
          {invite.accepted || invite.own ? 'Open the session' : 'Accept and open the session'}
        </Button>
      ) : null}
    </div>
  );
}

'use client';

import { Eye, MousePointer2, Share2, X } from 'lucide-react';
import { useId, useState } from 'react';
import type { PublicSession, SessionAccess } from '@/lib/protocol/api';
import { useModalDialog } from '@/lib/client/use-modal-dialog';
import { Button } from './button';
import { SessionSharePanel } from './session-share-panel';

// The session page's part of sharing: for the owner a Share button and its panel; for someone who came
// through a link, who shared it and what they may do (they get no Share and no Delete).

export const ACCESS_SENTENCE: Record<Exclude<SessionAccess, 'owner'>, string> = {
  'view-only': 'You can watch',
  interactive: 'You can work in this desktop',
};

export function SessionShare({ session }: { session: PublicSession }) {
  if (session.access === 'view-only' || session.access === 'interactive') {
    const Icon = session.access === 'view-only' ? Eye : MousePointer2;
    return (
      <span data-testid="shared-access" className="inline-flex min-w-0 items-center gap-1.5 rounded-full border border-line bg-sunken/60 px-2.5 py-1 text-xs text-muted">
        <Icon aria-hidden className="size-3.5 shrink-0" />
        <span className="truncate">
          <span className="font-medium text-ink">{ACCESS_SENTENCE[session.access]}</span>
          {session.ownerName ? ` · shared by ${session.ownerName}` : null}
        </span>
      </span>
    );
  }
  return <ShareButton session={session} />;
}

function ShareButton({ session }: { session: PublicSession }) {
  const [open, setOpen] = useState(false);
  const dialog = useModalDialog(open);
  const titleId = useId();
  return (
    <>
      <Button variant="secondary" title="Share this session" onClick={() => setOpen(true)}>
        <Share2 aria-hidden className="size-4" />
        {/* An icon on a phone, where the header row has room for little else; the name stays for readers. */}
        <span className="max-sm:sr-only">Share</span>
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
        className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-lg overflow-y-auto rounded-xl border border-line bg-surface p-0 text-ink shadow-lg backdrop:bg-black/40"
      >
        <div className="flex items-center justify-between gap-3 border-b border-line px-5 py-3">
          <h2 id={titleId} className="min-w-0 truncate text-base font-semibold">
            Share “{session.name}”
          </h2>
          <button type="button" aria-label="Close" onClick={() => setOpen(false)} className="grid size-8 place-items-center rounded-md text-muted hover:bg-sunken hover:text-ink">
            <X aria-hidden className="size-4" />
          </button>
        </div>
        {/* Mounted only while open: it polls who is watching. */}
        {open ? <SessionSharePanel sessionId={session.id} /> : null}
      </dialog>
    </>
  );
}

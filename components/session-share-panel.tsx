'use client';

import { Check, Copy, Eye, MousePointer2, Users } from 'lucide-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CreatedShare, PublicShare, SessionShares, ShareExpiry, ShareRights } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { relativeTime } from '@/lib/client/relative-time';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';

// Make a link (what it allows, how long it lasts), copy it once, see who accepted each link and who has
// the desktop open now, revoke. "Watching now" is read again every few seconds while the panel is open.

const POLL_MS = 3000;
const EXPIRY: { value: ShareExpiry; label: string }[] = [
  { value: '1h', label: '1 hour' },
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
];
const RIGHTS: { value: ShareRights; label: string; hint: string }[] = [
  { value: 'view-only', label: 'View only', hint: 'They see the desktop; their keys and mouse do nothing.' },
  { value: 'interactive', label: 'Interactive', hint: 'They can type and click in the desktop, as you can.' },
];

export function SessionSharePanel({ sessionId }: { sessionId: string }) {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}/shares`;
  const [data, setData] = useState<SessionShares | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rights, setRights] = useState<ShareRights>('view-only');
  const [expires, setExpires] = useState<ShareExpiry>('1d');
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      apiRequest<SessionShares>(base, { signal }).then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => {
          if (!signal?.aborted) setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
        },
      ),
    [base],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    const timer = setInterval(() => void load(ctrl.signal), POLL_MS);
    return () => {
      clearInterval(timer);
      ctrl.abort();
    };
  }, [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    try {
      const made = await apiRequest<CreatedShare>(base, { method: 'POST', body: { rights, expires } });
      setCreated(`${window.location.origin}${made.path}`);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  async function revoke(share: PublicShare) {
    try {
      await apiRequest<void>(`${base}/${encodeURIComponent(share.id)}`, { method: 'DELETE' });
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    }
  }

  const live = data?.shares.filter((s) => s.state === 'active') ?? [];
  const ended = data?.shares.filter((s) => s.state !== 'active') ?? [];
  return (
    <div className="space-y-5 px-5 py-4 text-sm">
      <form aria-label="New share link" onSubmit={(e) => void create(e)} className="space-y-3">
        <fieldset className="space-y-2">
          <legend className="mb-1.5 text-xs font-medium text-muted">What the link allows</legend>
          {RIGHTS.map((r) => (
            <label key={r.value} className="flex cursor-pointer items-start gap-2.5 rounded-md border border-line px-3 py-2 has-checked:border-accent has-checked:bg-sunken/60">
              <input type="radio" name="rights" value={r.value} checked={rights === r.value} onChange={() => setRights(r.value)} className="mt-0.5 accent-(--accent)" />
              <span>
                <span className="block font-medium text-ink">{r.label}</span>
                <span className="block text-xs text-muted">{r.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="flex flex-wrap items-end gap-3">
          <label className="space-y-1">
            <span className="block text-xs font-medium text-muted">Expires after</span>
            <select value={expires} onChange={(e) => setExpires(e.target.value as ShareExpiry)} className="h-9 rounded-md border border-line-strong bg-surface px-2.5 text-sm text-ink">
              {EXPIRY.map((x) => (
                <option key={x.value} value={x.value}>
                  {x.label}
                </option>
              ))}
            </select>
          </label>
          <Button type="submit" disabled={pending}>
            Create link
          </Button>
        </div>
        <p className="text-xs text-muted">Whoever opens the link must sign in to Portico. {data ? `At most ${data.limit} live links per session.` : null}</p>
      </form>

      {created ? <CreatedLink url={created} /> : null}
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}

      <section aria-labelledby="watching-now" className="space-y-2">
        <h3 id="watching-now" className="flex items-center gap-1.5 text-xs font-semibold tracking-wide text-muted uppercase">
          <Users aria-hidden className="size-3.5" />
          Watching now
          {data?.watchingScope === 'gateway' ? <span className="font-normal tracking-normal normal-case"> (through this server)</span> : null}
        </h3>
        <ul data-testid="watching-now" className="flex flex-wrap gap-1.5">
          {data?.watching.length ? (
            data.watching.map((w) => (
              <li key={w.userId} className="inline-flex items-center gap-1.5 rounded-full border border-line px-2.5 py-0.5 text-xs">
                <span aria-hidden className="size-1.5 rounded-full bg-emerald-500" />
                <span className="font-medium text-ink">{w.username}</span>
                <span className="text-muted">{w.access === 'owner' ? 'owner' : w.access === 'view-only' ? 'watching' : 'working'}</span>
              </li>
            ))
          ) : (
            <li className="text-xs text-muted">{data ? 'Nobody has the desktop open.' : 'Loading…'}</li>
          )}
        </ul>
      </section>

      <section aria-labelledby="share-links" className="space-y-2">
        <h3 id="share-links" className="text-xs font-semibold tracking-wide text-muted uppercase">
          Links
        </h3>
        {live.length === 0 && ended.length === 0 ? <p className="text-xs text-muted">No links yet.</p> : null}
        <ul className="divide-y divide-line rounded-md border border-line" data-testid="share-links">
          {[...live, ...ended].map((s) => (
            <ShareRow key={s.id} share={s} onRevoke={() => void revoke(s)} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function CreatedLink({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // The browser said no: the text is selected in the box for Ctrl+C instead.
      (document.getElementById('share-link-url') as HTMLInputElement | null)?.select();
    }
  }
  return (
    <div className="space-y-1.5 rounded-md border border-accent/50 bg-sunken/60 p-3">
      <label htmlFor="share-link-url" className="block text-xs font-medium text-ink">
        The link (shown only now: copy it)
      </label>
      <div className="flex gap-2">
        <input id="share-link-url" readOnly value={url} onFocus={(e) => e.target.select()} className="h-9 min-w-0 flex-1 rounded-md border border-line-strong bg-surface px-2.5 font-mono text-xs text-ink" />
        <Button variant="secondary" onClick={() => void copy()}>
          {copied ? <Check aria-hidden className="size-4" /> : <Copy aria-hidden className="size-4" />}
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
    </div>
  );
}

function ShareRow({ share, onRevoke }: { share: PublicShare; onRevoke(): void }) {
  const Icon = share.rights === 'view-only' ? Eye : MousePointer2;
  const when =
    share.state === 'revoked' ? `Revoked ${relativeTime(share.revokedAt ?? 0)}` : share.state === 'expired' ? 'Expired' : `Expires ${new Date(share.expiresAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;
  return (
    <li data-testid="share-row" data-state={share.state} className={`flex items-center gap-3 px-3 py-2 ${share.state === 'active' ? '' : 'opacity-60'}`}>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-x-2.5">
          <span className="inline-flex items-center gap-1.5 font-medium text-ink">
            <Icon aria-hidden className="size-3.5" />
            {share.rights === 'view-only' ? 'View only' : 'Interactive'}
          </span>
          <span className="text-xs text-muted">{when}</span>
        </div>
        <p className="truncate text-xs text-muted">{share.accepted.length ? `Accepted by ${share.accepted.map((a) => a.username).join(', ')}` : 'Not accepted yet'}</p>
      </div>
      {share.state === 'active' ? (
        <Button variant="ghost" className="h-7 shrink-0 px-2 text-xs text-danger!" onClick={onRevoke}>
          Revoke
        </Button>
      ) : null}
    </li>
  );
}

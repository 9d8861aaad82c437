'use client';

import { KeyRound } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { useModalDialog } from '@/lib/client/use-modal-dialog';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

/**
 * The signed-in person changes their own password (`POST /api/auth/password`). Their other sign-ins end;
 * this one stays. A modal <dialog> like ConfirmDialog: focus trap, Escape, the page behind it inert.
 */
export function ChangePasswordButton() {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [open, setOpen] = useState(false);

  const dialog = useModalDialog(open);

  function show() {
    setCurrent('');
    setNext('');
    setError(null);
    setDone(false);
    setOpen(true);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await apiRequest('/api/auth/password', { method: 'POST', body: { currentPassword: current, newPassword: next } });
      setDone(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <Button variant="ghost" onClick={show} className="h-8 px-2.5">
        <KeyRound aria-hidden className="size-4" />
        <span className="sr-only sm:not-sr-only">Password</span>
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        onCancel={(e) => {
          e.preventDefault();
          if (!pending) setOpen(false);
        }}
        className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-line bg-surface p-0 text-ink shadow-lg backdrop:bg-black/40"
      >
        <form onSubmit={submit}>
          <div className="space-y-3 px-5 pt-5">
            <h2 id={`${id}-title`} className="text-base font-semibold">
              Change your password
            </h2>
            {done ? (
              <p role="status" className="text-sm text-muted">
                Your password is changed. Your other sign-ins have ended; this one stays.
              </p>
            ) : (
              <>
                <p className="text-sm text-muted">Every other place you are signed in will be signed out.</p>
                <div className="space-y-1.5">
                  <label htmlFor={`${id}-current`} className="block text-sm font-medium text-ink">
                    Current password
                  </label>
                  <TextInput id={`${id}-current`} type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
                </div>
                <div className="space-y-1.5">
                  <label htmlFor={`${id}-new`} className="block text-sm font-medium text-ink">
                    New password
                  </label>
                  <TextInput id={`${id}-new`} type="password" autoComplete="new-password" required minLength={8} maxLength={1024} value={next} onChange={(e) => setNext(e.target.value)} />
                </div>
              </>
            )}
            {error ? <ErrorSentence>{error}</ErrorSentence> : null}
          </div>
          <div className="mt-5 flex justify-end gap-2 border-t border-line bg-sunken/50 px-5 py-3">
            <Button variant={done ? 'primary' : 'secondary'} disabled={pending} onClick={() => setOpen(false)}>
              {done ? 'Close' : 'Cancel'}
            </Button>
            {done ? null : (
              <Button type="submit" disabled={pending}>
                {pending ? 'Saving…' : 'Change password'}
              </Button>
            )}
          </div>
        </form>
      </dialog>
    </>
  );
}

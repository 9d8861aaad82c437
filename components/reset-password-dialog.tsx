'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

type Props = {
  /** Whose password; null keeps the dialog closed. */
  username: string | null;
  pending: boolean;
  error: string | null;
  onSubmit(password: string): void;
  onCancel(): void;
};

/** Sets a new password for someone. A modal <dialog>, like ConfirmDialog: focus trap, Escape, inert page. */
export function ResetPasswordDialog({ username, pending, error, onSubmit, onCancel }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [password, setPassword] = useState('');

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (username !== null && !d.open) {
      setPassword('');
      d.showModal();
    }
    if (username === null && d.open) d.close();
  }, [username]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmit(password);
  }

  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-line bg-surface p-0 text-ink shadow-lg backdrop:bg-black/40"
    >
      <form onSubmit={submit}>
        <div className="space-y-3 px-5 pt-5">
          <h2 id={`${id}-title`} className="text-base font-semibold">
            Reset the password of {username}
          </h2>
          <p className="text-sm text-muted">They are signed out everywhere and sign in again with the new password.</p>
          <div className="space-y-1.5">
            <label htmlFor={`${id}-password`} className="block text-sm font-medium text-ink">
              New password
            </label>
            <TextInput id={`${id}-password`} type="password" autoComplete="new-password" required minLength={8} maxLength={1024} value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          {error ? <ErrorSentence>{error}</ErrorSentence> : null}
        </div>
        <div className="mt-5 flex justify-end gap-2 border-t border-line bg-sunken/50 px-5 py-3">
          <Button variant="secondary" disabled={pending} onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? 'Saving…' : 'Set password'}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

'use client';

import { useId, type ReactNode } from 'react';
import { useModalDialog } from '@/lib/client/use-modal-dialog';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';

type ConfirmDialogProps = {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The confirmed action is under way: both buttons wait. */
  pending?: boolean;
  error?: string | null;
  onConfirm(): void;
  onCancel(): void;
};

/**
 * Asks before something that cannot be undone. The native modal <dialog> gives the focus trap, Escape and
 * the inert page behind it; focus starts on Cancel, so Enter alone never confirms.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, pending = false, error, onConfirm, onCancel }: ConfirmDialogProps) {
  const titleId = useId();

  const dialog = useModalDialog(open);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-line bg-surface p-0 text-ink shadow-lg backdrop:bg-black/40"
    >
      <div className="space-y-3 px-5 pt-5">
        <h2 id={titleId} className="text-base font-semibold">
          {title}
        </h2>
        <div className="text-sm text-muted">{children}</div>
        {error ? <ErrorSentence>{error}</ErrorSentence> : null}
      </div>
      <div className="mt-5 flex justify-end gap-2 border-t border-line bg-sunken/50 px-5 py-3">
        <Button variant="secondary" autoFocus disabled={pending} onClick={onCancel}>
          Cancel
        </Button>
        <Button variant="danger" disabled={pending} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}

'use client';

import { useEffect, useRef } from 'react';

// A native <dialog> shown as a modal while `open` is true: showModal() gives focus trapping, Escape and
// the inert page behind it for free, but it is an imperative call, so state drives it here.
export function useModalDialog(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return dialog;
}

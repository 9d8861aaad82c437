'use client';

import { useState } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { ConfirmDialog } from './confirm-dialog';

type Target = { id: string; name: string; kind: 'local' | 'external' };

/** Asks, then deletes a session (`DELETE /api/sessions/:id` → 204; a local VM is stopped with it). */
export function DeleteSessionDialog({ session, onDeleted, onCancel }: { session: Target | null; onDeleted(id: string): void; onCancel(): void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Keep the last target while the dialog closes, so its text does not blank out.
  const [shown, setShown] = useState<Target | null>(session);
  if (session && session !== shown) setShown(session);

  async function remove() {
    if (!session) return;
    setPending(true);
    setError(null);
    try {
      await apiRequest<void>(`/api/sessions/${encodeURIComponent(session.id)}`, { method: 'DELETE' });
      onDeleted(session.id);
    } catch (err) {
      // Someone else deleted it already: it is gone, which is what was asked for.
      if (err instanceof ApiError && err.status === 404) return onDeleted(session.id);
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  return (
    <ConfirmDialog
      open={session !== null}
      title={`Delete “${shown?.name ?? ''}”?`}
      confirmLabel="Delete session"
      pending={pending}
      error={error}
      onConfirm={() => void remove()}
      onCancel={() => {
        setError(null);
        onCancel();
      }}
    >
      {shown?.kind === 'local'
        ? 'The VM stops, and whatever runs in it ends.'
        : 'The session is removed from Portico. The VNC server it points at keeps running.'}
    </ConfirmDialog>
  );
}

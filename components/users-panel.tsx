'use client';

import { Users } from 'lucide-react';
import { useState } from 'react';
import type { ManagedUser, PublicUser } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { useApiData } from '@/lib/client/use-api-data';
import { ConfirmDialog } from './confirm-dialog';
import { CountBadge } from './count-badge';
import { EmptyState } from './empty-state';
import { ErrorSentence } from './error-sentence';
import { ListSkeleton } from './list-skeleton';
import { LoadError } from './load-error';
import { NewUserForm } from './new-user-form';
import { Panel } from './panel';
import { useCurrentUser } from './require-user';
import { ResetPasswordDialog } from './reset-password-dialog';
import { UserRow, type UserAction } from './user-row';
import { AdminOnlyNotice } from './admin-only-notice';

// The users screen (admins): every account, and what an admin may do to it, over the same JSON API a
// script would use. Each change that ends someone's sign-ins says so in the row's confirmation.

type Pending = { kind: 'delete' | 'password'; user: ManagedUser } | null;

export function UsersPanel() {
  const me = useCurrentUser();
  const { result, update, retry } = useApiData<ManagedUser[]>('/api/users');
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ userId: string; text: string; error: boolean } | null>(null);
  const [dialog, setDialog] = useState<Pending>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);

  if (me.role !== 'admin') {
    return <AdminOnlyNotice>The users screen manages every account. Ask an admin if you need a change.</AdminOnlyNotice>;
  }

  const replace = (user: ManagedUser) => update((list) => list.map((u) => (u.id === user.id ? user : u)));

  async function act(user: ManagedUser, action: UserAction) {
    if (action.kind === 'delete' || action.kind === 'password') {
      setDialogError(null);
      setDialog({ kind: action.kind, user });
      return;
    }
    setBusy(user.id);
    setNotice(null);
    try {
      if (action.kind === 'role') {
        replace(await apiRequest<ManagedUser>(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body: { role: action.role } }));
        setNotice({ userId: user.id, text: `${user.username} is now ${action.role === 'admin' ? 'an admin' : 'a user'}; they sign in again to get the new role.`, error: false });
      } else if (action.kind === 'disable' || action.kind === 'enable') {
        replace(await apiRequest<ManagedUser>(`/api/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body: { disabled: action.kind === 'disable' } }));
        setNotice({ userId: user.id, text: action.kind === 'disable' ? `${user.username} is disabled and signed out everywhere.` : `${user.username} can sign in again.`, error: false });
      } else {
        const { ended } = await apiRequest<{ ended: number }>(`/api/users/${encodeURIComponent(user.id)}/sign-out`, { method: 'POST' });
        replace({ ...user, activeSessions: user.id === me.id ? user.activeSessions : 0 });
        setNotice({ userId: user.id, text: `Ended ${ended} sign-in${ended === 1 ? '' : 's'} of ${user.username}.`, error: false });
      }
    } catch (err) {
      setNotice({ userId: user.id, text: err instanceof ApiError ? err.message : OFFLINE_SENTENCE, error: true });
    } finally {
      setBusy(null);
    }
  }

  async function confirmDialog(password?: string) {
    if (!dialog) return;
    const { user } = dialog;
    setBusy(user.id);
    setDialogError(null);
    try {
      if (dialog.kind === 'delete') {
        await apiRequest(`/api/users/${encodeURIComponent(user.id)}`, { method: 'DELETE' });
        update((list) => list.filter((u) => u.id !== user.id));
        setNotice(null);
      } else {
        await apiRequest(`/api/users/${encodeURIComponent(user.id)}/password`, { method: 'POST', body: { password } });
        replace({ ...user, activeSessions: 0 });
        setNotice({ userId: user.id, text: `New password set for ${user.username}; they were signed out everywhere.`, error: false });
      }
      setDialog(null);
    } catch (err) {
      setDialogError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setBusy(null);
    }
  }

  const onCreated = (u: PublicUser) =>
    update((list) => [...list, { ...u, disabled: false, createdAt: Date.now(), activeSessions: 0 }].sort((a, b) => a.username.localeCompare(b.username)));

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-ink">Users</h1>
        <p className="mt-1 text-sm text-muted">Accounts on this server. Changing a role or a password, disabling and deleting sign the person out everywhere.</p>
      </div>
      <Panel
        id="users"
        title="Accounts"
        aside={result.state === 'ready' ? <CountBadge count={result.data.length} label={result.data.length === 1 ? 'user' : 'users'} /> : null}
      >
        {result.state === 'ready' ? <NewUserForm onCreated={onCreated} /> : null}
        {result.state === 'loading' ? <ListSkeleton label="Loading users…" /> : null}
        {result.state === 'error' ? <LoadError message={result.message} status={result.status} onRetry={retry} /> : null}
        {result.state === 'ready' && result.data.length === 0 ? <EmptyState icon={Users} title="No users" /> : null}
        {result.state === 'ready' && result.data.length > 0 ? (
          <ul aria-label="Users" className="divide-y divide-line">
            {result.data.map((user) => (
              <li key={user.id} aria-label={user.username} className="px-5 py-3">
                <UserRow user={user} self={user.id === me.id} busy={busy === user.id} onAction={(a) => void act(user, a)} />
                {notice?.userId === user.id ? (
                  notice.error ? (
                    <ErrorSentence className="mt-2">{notice.text}</ErrorSentence>
                  ) : (
                    <p role="status" className="mt-2 text-sm text-muted">
                      {notice.text}
                    </p>
                  )
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </Panel>
      <ConfirmDialog
        open={dialog?.kind === 'delete'}
        title={`Delete ${dialog?.user.username ?? ''}?`}
        confirmLabel="Delete user"
        pending={busy !== null}
        error={dialog?.kind === 'delete' ? dialogError : null}
        onConfirm={() => void confirmDialog()}
        onCancel={() => setDialog(null)}
      >
        Their projects with every file, their VM sessions and their sign-ins go too. This cannot be undone.
      </ConfirmDialog>
      <ResetPasswordDialog
        username={dialog?.kind === 'password' ? dialog.user.username : null}
        pending={busy !== null}
        error={dialog?.kind === 'password' ? dialogError : null}
        onSubmit={(password) => void confirmDialog(password)}
        onCancel={() => setDialog(null)}
      />
    </div>
  );
}

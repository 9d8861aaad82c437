'use client';

import { UserPlus } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import type { PublicUser } from '@/lib/protocol/api';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

export const SELECT_CLASS =
  'h-9 rounded-md border border-line-strong bg-surface px-2.5 text-sm text-ink shadow-xs focus-visible:border-accent focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-accent/40 disabled:opacity-60';


/** Creates an account: username, a first password (the user can change it), role. */
export function NewUserForm({ onCreated }: { onCreated: (user: PublicUser) => void }) {
  const id = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      onCreated(await apiRequest<PublicUser>('/api/users', { method: 'POST', body: { username: username.trim(), password, role } }));
      setUsername('');
      setPassword('');
      setRole('user');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  return (
    <form aria-label="New user" aria-busy={pending} onSubmit={create} className="space-y-3 border-b border-line bg-sunken/50 px-5 py-4">
      <div className="grid gap-3 sm:grid-cols-[1fr_1fr_8rem_auto] sm:items-end">
        <div className="space-y-1.5">
          <label htmlFor={`${id}-username`} className="block text-xs font-medium text-muted">
            Username
          </label>
          <TextInput
            id={`${id}-username`}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
            maxLength={64}
            pattern="[A-Za-z0-9._\-]{1,64}"
            title="Letters, digits, dots, dashes or underscores."
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="space-y-1.5">
          <label htmlFor={`${id}-password`} className="block text-xs font-medium text-muted">
            First password
          </label>
          <TextInput id={`${id}-password`} type="password" autoComplete="new-password" required minLength={8} maxLength={1024} value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        <div className="space-y-1.5">
          <label htmlFor={`${id}-role`} className="block text-xs font-medium text-muted">
            Role
          </label>
          <select id={`${id}-role`} className={`${SELECT_CLASS} w-full`} value={role} onChange={(e) => setRole(e.target.value as 'user' | 'admin')}>
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <Button type="submit" disabled={pending} className="shrink-0">
          <UserPlus aria-hidden className="size-4" />
          {pending ? 'Creating…' : 'Create user'}
        </Button>
      </div>
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}
    </form>
  );
}

'use client';

import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { PublicSession } from '@/lib/store/sessions';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

/** Starts a local VM (`POST /api/sessions {name}`). A 503 says what this server lacks; it is shown as sent. */
export function NewSessionForm({ onCreated }: { onCreated: (session: PublicSession) => void }) {
  const [name, setName] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const session = await apiRequest<PublicSession>('/api/sessions', { method: 'POST', body: { name: name.trim() } });
      onCreated(session);
      setName('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  return (
    <form aria-label="New session" aria-busy={pending} onSubmit={create} className="space-y-3 border-b border-line bg-sunken/50 px-5 py-4">
      <div className="flex gap-2">
        <label htmlFor="new-session-name" className="sr-only">
          Session name
        </label>
        <TextInput
          id="new-session-name"
          name="name"
          placeholder="New session name"
          maxLength={100}
          required
          pattern=".*\S.*"
          title="Give the session a name."
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" disabled={pending} className="shrink-0">
          <Plus aria-hidden className="size-4" />
          {pending ? 'Starting…' : 'Start session'}
        </Button>
      </div>
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}
    </form>
  );
}

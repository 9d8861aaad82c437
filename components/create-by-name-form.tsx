'use client';

import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

type Props<T> = {
  /** What is created, lower case: "project", "session". Names the form, the field and its hint. */
  noun: string;
  /** POST here with `{ name }`; the answer is the created thing. */
  endpoint: string;
  submitLabel: string;
  pendingLabel?: string;
  onCreated: (created: T) => void;
};

/** The one-field "New …" form of the projects and sessions panels. The API's error sentence is shown as sent. */
export function CreateByNameForm<T>({ noun, endpoint, submitLabel, pendingLabel, onCreated }: Props<T>) {
  const [name, setName] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const created = await apiRequest<T>(endpoint, { method: 'POST', body: { name: name.trim() } });
      onCreated(created);
      setName('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  const id = `new-${noun}-name`;
  return (
    <form aria-label={`New ${noun}`} aria-busy={pending} onSubmit={create} className="space-y-3 border-b border-line bg-sunken/50 px-5 py-4">
      <div className="flex gap-2">
        <label htmlFor={id} className="sr-only">
          {`${noun[0].toUpperCase()}${noun.slice(1)} name`}
        </label>
        <TextInput
          id={id}
          name="name"
          placeholder={`New ${noun} name`}
          maxLength={100}
          required
          // Not only spaces: the browser says so before the server has to.
          pattern=".*\S.*"
          title={`Give the ${noun} a name.`}
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" disabled={pending} className="shrink-0">
          <Plus aria-hidden className="size-4" />
          {pending && pendingLabel ? pendingLabel : submitLabel}
        </Button>
      </div>
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}
    </form>
  );
}

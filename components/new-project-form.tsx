'use client';

import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { PublicProject } from '@/lib/store/projects';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from '@/lib/client/api';
import { Button } from './button';
import { ErrorSentence } from './error-sentence';
import { TextInput } from './text-input';

export function NewProjectForm({ onCreated }: { onCreated: (project: PublicProject) => void }) {
  const [name, setName] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const project = await apiRequest<PublicProject>('/api/projects', { method: 'POST', body: { name: name.trim() } });
      onCreated(project);
      setName('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : OFFLINE_SENTENCE);
    } finally {
      setPending(false);
    }
  }

  return (
    <form aria-label="New project" onSubmit={create} className="space-y-3 border-b border-line bg-sunken/50 px-5 py-4">
      <div className="flex gap-2">
        <label htmlFor="new-project-name" className="sr-only">
          Project name
        </label>
        <TextInput
          id="new-project-name"
          name="name"
          placeholder="New project name"
          maxLength={100}
          required
          // Not only spaces: the browser says so before the server has to.
          pattern=".*\S.*"
          title="Give the project a name."
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" disabled={pending} className="shrink-0">
          <Plus aria-hidden className="size-4" />
          Create project
        </Button>
      </div>
      {error ? <ErrorSentence>{error}</ErrorSentence> : null}
    </form>
  );
}

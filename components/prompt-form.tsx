'use client';

import { Hammer, Square } from 'lucide-react';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_PROMPT_CHARS } from '@/lib/build/protocol';
import { Button } from './button';

type PromptFormProps = {
  running: boolean;
  /** Whether start and cancel can reach the server right now (the live socket is open). */
  canControl: boolean;
  /** What a new build would be built with, from the server's hello. */
  provider: string | null;
  onBuild(prompt: string): void;
  onCancel(): void;
};

/** What to build, and the two things a person can do about it: Build, and Cancel while it runs. */
export function PromptForm({ running, canControl, provider, onBuild, onCancel }: PromptFormProps) {
  const [prompt, setPrompt] = useState('');
  const empty = prompt.trim() === '';
  const canBuild = !running && !empty && canControl;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (canBuild) onBuild(prompt.trim());
  }

  // ⌘/Ctrl + Enter builds, as in most prompt boxes; Enter alone is a new line.
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  }

  return (
    <form aria-label="Build" onSubmit={submit} className="space-y-3 border-b border-line bg-sunken/50 px-5 py-4">
      <label htmlFor="build-prompt" className="block text-sm font-medium text-ink">
        Prompt
      </label>
      <textarea
        id="build-prompt"
        name="prompt"
        rows={3}
        maxLength={MAX_PROMPT_CHARS}
        placeholder="A pomodoro timer with start, pause and a list of finished sessions"
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
        onKeyDown={onKeyDown}
        className="block w-full resize-y rounded-md border border-line-strong bg-surface px-3 py-2 text-sm leading-6 text-ink shadow-xs placeholder:text-muted/70 focus-visible:border-accent focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-accent/40"
      />
      <div className="flex flex-wrap items-center gap-3">
        <p className="min-w-0 flex-1 text-xs text-muted">
          {provider ? (
            <>
              Builds use the <span className="font-medium text-ink/80">{provider}</span> provider.{' '}
            </>
          ) : null}
          <span className="tabular-nums">
            {prompt.length.toLocaleString()} / {MAX_PROMPT_CHARS.toLocaleString()}
          </span>
        </p>
        {running ? (
          <Button variant="secondary" onClick={onCancel} disabled={!canControl}>
            <Square aria-hidden className="size-3.5" />
            Cancel
          </Button>
        ) : null}
        <Button type="submit" disabled={!canBuild}>
          <Hammer aria-hidden className="size-4" />
          Build
        </Button>
      </div>
    </form>
  );
}

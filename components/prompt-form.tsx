'use client';

import { Hammer, Square } from 'lucide-react';
import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_PROMPT_CHARS, type ProviderInfo } from '@/lib/protocol/build';
import { providerSentence } from '@/lib/client/provider-sentence';
import { Button } from './button';

type PromptFormProps = {
  projectId: string;
  running: boolean;
  /** Whether start and cancel can reach the server right now (over the socket, or over HTTP). */
  canControl: boolean;
  /** What a new build would be built with, from the server's hello; null once there is a build. */
  provider: string | null;
  providerInfo?: ProviderInfo | null;
  onBuild(prompt: string): void;
  onCancel(): void;
};

/** What to build, and the two things a person can do about it: Build, and Cancel while it runs. */
export function PromptForm({ projectId, running, canControl, provider, providerInfo = null, onBuild, onCancel }: PromptFormProps) {
  const [prompt, setPrompt] = useKeptPrompt(projectId);
  const empty = prompt.trim() === '';
  const canBuild = !running && !empty && canControl;
  const sentence = provider ? providerSentence(providerInfo, provider) : null;

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
      {sentence ? (
        <p data-testid="provider-sentence" className="text-xs leading-5 text-muted">
          {sentence}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        <p className="min-w-0 flex-1 text-xs text-muted">
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

const promptKey = (projectId: string) => `portico:prompt:${projectId}`;

/**
 * The prompt as typed, kept per project in sessionStorage: it survives reconnects and transport switches
 * (the form stays mounted) and a reload of the tab, which is what people expect of a text box.
 */
function useKeptPrompt(projectId: string): [string, (prompt: string) => void] {
  const [prompt, setPrompt] = useState('');
  useEffect(() => {
    // Read after mount: the server renders an empty box, and the first client render must match it.
    const kept = readSession(promptKey(projectId));
    if (kept) setPrompt(kept);
  }, [projectId]);
  const update = useCallback(
    (next: string) => {
      setPrompt(next);
      writeSession(promptKey(projectId), next);
    },
    [projectId],
  );
  return [prompt, update];
}

// Storage can be off (a privacy setting) or full: the prompt then lives only as long as the page.
function readSession(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeSession(key: string, value: string): void {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // As above.
  }
}

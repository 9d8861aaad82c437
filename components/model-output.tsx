'use client';

import { useStickToBottom } from '@/lib/client/use-stick-to-bottom';

/** The model's text as it streams, following the end unless the reader scrolled up. */
export function ModelOutput({ text, streaming }: { text: string; streaming: boolean }) {
  const { ref, onScroll } = useStickToBottom<HTMLPreElement>(text);
  return (
    <pre
      ref={ref}
      onScroll={onScroll}
      tabIndex={0}
      aria-label="Model output"
      className="max-h-64 overflow-y-auto rounded-lg border border-line bg-sunken/60 px-3 py-2 font-mono text-xs leading-5 break-words whitespace-pre-wrap text-ink/85"
    >
      <span data-testid="model-output">{text}</span>
      {!text ? <span className="text-muted">{streaming ? 'Waiting for the model…' : 'Nothing streamed from the model.'}</span> : null}
      {streaming ? <span aria-hidden className="ml-0.5 inline-block h-3.5 w-1.5 translate-y-0.5 animate-pulse bg-accent/70" /> : null}
    </pre>
  );
}

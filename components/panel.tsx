import type { ReactNode } from 'react';

type PanelProps = {
  /** Used for the heading's id, so the section is named by its heading. */
  id: string;
  title: string;
  description?: string;
  /** Beside the title: a count, a badge. */
  aside?: ReactNode;
  children: ReactNode;
};

export function Panel({ id, title, description, aside, children }: PanelProps) {
  return (
    <section aria-labelledby={`${id}-title`} className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
      <header className="flex items-start justify-between gap-4 border-b border-line px-5 py-4">
        <div className="min-w-0">
          <h2 id={`${id}-title`} className="text-sm font-semibold text-ink">
            {title}
          </h2>
          {description ? <p className="mt-0.5 text-sm text-muted">{description}</p> : null}
        </div>
        {aside}
      </header>
      {children}
    </section>
  );
}

import { ArrowLeft, SearchX } from 'lucide-react';
import Link from 'next/link';

/**
 * The one message a page shows when what its address names is not there for this user (unknown, deleted,
 * malformed or someone else's id), in place of every panel that would otherwise each say so.
 */
export function MissingResource({ sentence, children }: { sentence: string; children?: string }) {
  return (
    <div data-testid="missing-resource" className="mx-auto flex max-w-md flex-col items-center pt-10 text-center">
      <span aria-hidden className="mb-4 grid size-11 place-items-center rounded-full bg-sunken text-muted">
        <SearchX className="size-5" />
      </span>
      <h1 className="text-lg font-semibold tracking-tight text-ink">{sentence}</h1>
      <p className="mt-1 text-sm text-muted">{children ?? 'Check the address, or open it from your dashboard.'}</p>
      <Link href="/" className="mt-6 inline-flex items-center gap-1.5 text-sm font-medium text-accent hover:underline">
        <ArrowLeft aria-hidden className="size-4" />
        Back to the dashboard
      </Link>
    </div>
  );
}

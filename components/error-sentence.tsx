import { CircleAlert } from 'lucide-react';

/** An error as the person reads it: one sentence from the server's table, announced when it appears. */
export function ErrorSentence({ children, className = '' }: { children: string; className?: string }) {
  return (
    <p role="alert" className={`flex items-start gap-2 rounded-md border border-danger-line bg-danger-soft px-3 py-2 text-sm text-danger ${className}`}>
      <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
      <span>{children}</span>
    </p>
  );
}

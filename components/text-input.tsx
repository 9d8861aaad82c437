import type { ComponentProps } from 'react';

export function TextInput({ className = '', ...props }: ComponentProps<'input'>) {
  return (
    <input
      className={`h-9 w-full rounded-md border border-line-strong bg-surface px-3 text-sm text-ink shadow-xs placeholder:text-muted/70 focus-visible:border-accent focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-accent/40 disabled:opacity-60 ${className}`}
      {...props}
    />
  );
}

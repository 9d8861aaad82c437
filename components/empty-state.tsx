import type { LucideIcon } from 'lucide-react';

export function EmptyState({ icon: Icon, title, children }: { icon: LucideIcon; title: string; children?: string }) {
  return (
    <div className="flex flex-col items-center px-6 py-10 text-center">
      <span aria-hidden className="mb-3 grid size-10 place-items-center rounded-full bg-sunken text-muted">
        <Icon className="size-5" />
      </span>
      <p className="text-sm font-medium text-ink">{title}</p>
      {children ? <p className="mt-1 max-w-xs text-sm text-muted">{children}</p> : null}
    </div>
  );
}

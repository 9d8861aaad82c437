import type { BuildStatus } from '@/lib/protocol/build';

// A build's outcome in the same pill shape as the connection and session badges.
const LOOK: Record<BuildStatus, { label: string; dot: string; text: string }> = {
  running: { label: 'Running', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-700 dark:text-amber-300' },
  succeeded: { label: 'Succeeded', dot: 'bg-emerald-500', text: 'text-emerald-700 dark:text-emerald-300' },
  failed: { label: 'Failed', dot: 'bg-red-500', text: 'text-danger' },
  cancelled: { label: 'Cancelled', dot: 'bg-zinc-400 dark:bg-zinc-500', text: 'text-muted' },
};

export function BuildStatusBadge({ status }: { status: BuildStatus }) {
  const look = LOOK[status] ?? LOOK.failed;
  return (
    <span data-testid="build-status" data-status={status} className={`inline-flex shrink-0 items-center gap-1.5 rounded-full border border-line px-2 py-0.5 text-xs font-medium ${look.text}`}>
      <span aria-hidden className={`size-1.5 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}

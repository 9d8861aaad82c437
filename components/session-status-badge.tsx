import type { SessionStatus } from '@/lib/protocol/api';

const LOOK: Record<SessionStatus, { label: string; dot: string; text: string }> = {
  running: { label: 'Running', dot: 'bg-emerald-500', text: 'text-emerald-700 dark:text-emerald-300' },
  starting: { label: 'Starting', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-700 dark:text-amber-300' },
  stopped: { label: 'Stopped', dot: 'bg-zinc-400 dark:bg-zinc-500', text: 'text-muted' },
  failed: { label: 'Failed', dot: 'bg-red-500', text: 'text-danger' },
};

export function SessionStatusBadge({ status }: { status: SessionStatus }) {
  const look = LOOK[status] ?? LOOK.stopped;
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full border border-line px-2 py-0.5 text-xs font-medium ${look.text}`}>
      <span aria-hidden className={`size-1.5 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}

import type { SocketState } from '@/lib/client/use-socket';

// The one badge every socket-backed panel shows (design.md "Pages"): the same four states, the same
// words, everywhere. `data-state` is what tests and styles key on.

const LOOK: Record<SocketState, { label: string; dot: string; text: string }> = {
  connecting: { label: 'Connecting', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-700 dark:text-amber-300' },
  live: { label: 'Live', dot: 'bg-emerald-500', text: 'text-emerald-700 dark:text-emerald-300' },
  reconnecting: { label: 'Reconnecting', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-700 dark:text-amber-300' },
  offline: { label: 'Offline', dot: 'bg-zinc-400 dark:bg-zinc-500', text: 'text-muted' },
};

/** `note` says how, when it matters to the reader (e.g. "fallback" while a panel streams without its socket). */
export function ConnectionBadge({ state, label, note }: { state: SocketState; label?: string; note?: string }) {
  const look = LOOK[state];
  return (
    <span
      role="status"
      aria-label={`${label ?? 'Connection'}: ${look.label}`}
      data-testid="connection-badge"
      data-state={state}
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full border border-line px-2 py-0.5 text-xs font-medium whitespace-nowrap ${look.text}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full ${look.dot}`} />
      {look.label}
      {note ? <span className="font-normal text-muted">· {note}</span> : null}
    </span>
  );
}

export function CountBadge({ count, label }: { count: number; label: string }) {
  return (
    <span className="shrink-0 rounded-full bg-sunken px-2 py-0.5 text-xs font-medium tabular-nums text-muted">
      {count}
      <span className="sr-only"> {label}</span>
    </span>
  );
}

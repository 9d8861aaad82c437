/** Placeholder rows while a list loads; screen readers hear `label` instead. */
export function ListSkeleton({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div role="status" className="divide-y divide-line">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} aria-hidden className="flex items-center gap-3 px-5 py-3.5">
          <span className="size-8 animate-pulse rounded-lg bg-sunken" />
          <span className="h-3 w-40 animate-pulse rounded bg-sunken" />
          <span className="ml-auto h-3 w-16 animate-pulse rounded bg-sunken" />
        </div>
      ))}
    </div>
  );
}

/** How far the build is, as a bar, a number and the step it is on. */
export function ProgressBar({ percent, message, active, tone = 'accent' }: { percent: number; message: string; active: boolean; tone?: 'accent' | 'danger' }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div className="space-y-1.5">
      <div className="flex items-baseline justify-between gap-3 text-xs">
        <span className="min-w-0 truncate text-muted">{message || (active ? 'Starting…' : '\u00a0')}</span>
        <span className="shrink-0 font-medium tabular-nums text-ink">{value} %</span>
      </div>
      <div
        role="progressbar"
        aria-label="Build progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={message ? `${value} %, ${message}` : `${value} %`}
        className="h-1.5 overflow-hidden rounded-full bg-sunken"
      >
        <div className={`h-full rounded-full transition-[width] duration-300 ease-out ${tone === 'danger' ? 'bg-danger' : 'bg-accent'}`} style={{ width: `${value}%` }} />
      </div>
    </div>
  );
}

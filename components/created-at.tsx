import { relativeTime } from '@/lib/client/relative-time';

/** When something was created, relative ("5 minutes ago") with the exact time on hover. Render in the browser only. */
export function CreatedAt({ ms }: { ms: number }) {
  const date = new Date(ms);
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString()} className="text-xs text-muted tabular-nums">
      {relativeTime(ms)}
    </time>
  );
}

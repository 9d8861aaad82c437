import { CloudOff } from 'lucide-react';

/**
 * The status page's banner for a server it cannot reach: said first and loudly, with the moment the figures
 * below stopped being current, so nobody reads them as now.
 */
export function ServerUnreachable({ id, figuresAt }: { id: string; figuresAt: number | null }) {
  return (
    <div id={id} role="alert" data-testid="server-unreachable" className="flex items-start gap-3 rounded-xl border border-danger-line bg-danger-soft px-4 py-3 text-danger shadow-xs">
      <CloudOff aria-hidden className="mt-0.5 size-5 shrink-0" />
      <p className="min-w-0 text-sm">
        <strong className="font-semibold">Can&apos;t reach the server</strong>
        {figuresAt === null ? (
          ' — there are no figures yet. Retrying…'
        ) : (
          <>
            {' — figures below are from '}
            <time dateTime={new Date(figuresAt).toISOString()} className="tabular-nums">
              {new Date(figuresAt).toLocaleTimeString()}
            </time>
            . Retrying…
          </>
        )}
      </p>
    </div>
  );
}

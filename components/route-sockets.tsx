import type { RouteStatus } from '@/lib/protocol/api';
import { Panel } from './panel';

// The status page's "Sockets by route": one row per route record the server has (built-in, then declared),
// each in the colour its line has in the sockets chart.

export function RouteSockets({ routes, byRoute }: { routes: (RouteStatus & { color: string })[]; byRoute: Record<string, number> | undefined }) {
  return (
    <Panel id="sockets" title="Sockets by route" description="Every upgrade the server holds open now.">
      <table className="w-full text-sm">
        <thead>
          <tr className="border-b border-line text-left text-xs text-muted">
            <th scope="col" className="px-5 py-2 font-medium">Route</th>
            <th scope="col" className="px-5 py-2 text-right font-medium">Open</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {routes.map((r) => (
            <tr key={r.name}>
              <th scope="row" className="px-5 py-2.5 text-left font-normal">
                <span className="flex items-center gap-2">
                  <span aria-hidden className={`size-2 rounded-full bg-current ${r.color}`} />
                  <span className="text-ink">{r.label}</span>
                  <code className="hidden truncate text-xs text-muted sm:inline">{r.pattern}</code>
                </span>
              </th>
              <td data-testid={`socket-count-${r.name}`} className="px-5 py-2.5 text-right font-medium tabular-nums text-ink">
                {byRoute ? (byRoute[r.name] ?? 0) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

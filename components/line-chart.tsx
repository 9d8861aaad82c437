// A small time-series chart in plain SVG (no chart library): the last few minutes of one or more series,
// newest at the right edge. Lines keep a 1.5 px stroke however the box is stretched (non-scaling-stroke);
// labels are HTML laid over it, so they never stretch either.

export type Series = {
  name: string;
  /** A text colour class; the line and its fill use currentColor. */
  color: string;
  points: readonly { t: number; v: number }[];
};

type LineChartProps = {
  /** What the chart shows, for screen readers ("CPU, % of one core"). */
  label: string;
  series: readonly Series[];
  /** Right edge of the time axis (the newest sample) and how far back it reaches. */
  now: number;
  windowMs: number;
  format(value: number): string;
  /** The y axis reaches at least this far, so a quiet line does not fill the box with noise. */
  minMax?: number;
  /** Integer counts change in steps: draw them as steps, not slopes. */
  step?: boolean;
};

const W = 300;
const H = 100;

export function LineChart({ label, series, now, windowMs, format, minMax = 1, step = false }: LineChartProps) {
  const start = now - windowMs;
  const peak = Math.max(minMax, ...series.flatMap((s) => s.points.map((p) => p.v)));
  const top = niceCeil(peak);
  const x = (t: number) => ((t - start) / windowMs) * W;
  const y = (v: number) => H - (v / top) * H;
  const summary = series
    .map((s) => {
      const last = s.points.at(-1);
      return last ? `${s.name} ${format(last.v)}` : `${s.name}: no data yet`;
    })
    .join(', ');

  return (
    <figure className="min-w-0">
      <div className="relative h-28">
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${label}, ${ago(windowMs)} until now: ${summary}`} className="absolute inset-0 size-full overflow-visible">
          {[0, 0.5, 1].map((f) => (
            <line key={f} x1={0} x2={W} y1={H * f} y2={H * f} vectorEffect="non-scaling-stroke" className="stroke-line" strokeWidth={1} strokeDasharray={f === 1 ? undefined : '3 3'} />
          ))}
          {series.map((s) => {
            const pts = s.points.filter((p) => p.t >= start - 5000);
            if (pts.length === 0) return null;
            const coords = pathPoints(pts, x, y, step);
            const line = coords.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
            const area = `${line}L${coords.at(-1)![0].toFixed(1)},${H}L${coords[0][0].toFixed(1)},${H}Z`;
            return (
              <g key={s.name} className={s.color}>
                {series.length === 1 ? <path d={area} fill="currentColor" fillOpacity={0.12} /> : null}
                <path d={line} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" vectorEffect="non-scaling-stroke" />
              </g>
            );
          })}
        </svg>
        <span aria-hidden className="absolute -top-2 left-0 bg-surface pr-1 text-[10px] leading-4 text-muted tabular-nums">
          {format(top)}
        </span>
        <span aria-hidden className="absolute bottom-0 left-0 bg-surface pr-1 text-[10px] leading-4 text-muted tabular-nums">
          0
        </span>
      </div>
      <div aria-hidden className="mt-1 flex justify-between text-[10px] text-muted">
        <span>{ago(windowMs)}</span>
        <span>now</span>
      </div>
      {series.length > 1 ? (
        <figcaption className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-xs text-muted">
          {series.map((s) => (
            <span key={s.name} className="inline-flex items-center gap-1.5">
              <span aria-hidden className={`h-0.5 w-3 rounded-full bg-current ${s.color}`} />
              {s.name}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}

function ago(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

function pathPoints(pts: readonly { t: number; v: number }[], x: (t: number) => number, y: (v: number) => number, step: boolean): [number, number][] {
  const out: [number, number][] = [];
  pts.forEach((p, i) => {
    if (step && i > 0) out.push([x(p.t), y(pts[i - 1].v)]);
    out.push([x(p.t), y(p.v)]);
  });
  return out;
}

/** The next round number at or above v (1, 2, 2.5, 5 × a power of ten), so the top label reads cleanly. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * pow) return m * pow;
  return 10 * pow;
}

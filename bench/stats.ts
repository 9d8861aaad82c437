// Small pure helpers for turning samples into figures.

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** value ÷ base, or NaN when there is no base to compare with. */
export function ratio(value: number, base: number): number {
  return base > 0 && Number.isFinite(value) && Number.isFinite(base) ? value / base : NaN;
}

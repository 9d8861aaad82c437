// "3 min ago", "yesterday", "Nov 2": how long ago something happened, in the reader's own locale.

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['minute', 60],
  ['hour', 60 * 60],
  ['day', 24 * 60 * 60],
];
const WEEK_S = 7 * 24 * 60 * 60;

export function relativeTime(ms: number, now = Date.now(), locale?: string): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < WEEK_S) {
    const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const [unit, size] = [...UNITS].reverse().find(([, s]) => seconds >= s) ?? UNITS[0];
    return rtf.format(-Math.max(1, Math.round(seconds / size)), unit);
  }
  const then = new Date(ms);
  const sameYear = then.getFullYear() === new Date(now).getFullYear();
  return then.toLocaleDateString(locale, { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
}

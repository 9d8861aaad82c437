// How long something took (ms), the way a person says it: "0.4 s", "12 s", "2 min 5 s". Below 10 s one
// decimal, because builds are short and "3 s" vs "3.9 s" is worth telling apart.

export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** A clock still running, ticking once a second: whole seconds, so it does not show "3.0 s", "4.0 s". */
export function formatRunning(ms: number): string {
  return ms < 60_000 ? `${Math.floor(Math.max(0, ms) / 1000)} s` : formatElapsed(Math.floor(ms / 1000) * 1000);
}

// Sizes and durations as an operator reads them: "3.2 MB", "1 h 4 min".

const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB'];
const STEP = 1024;

/**
 * Binary steps (1 KB = 1024 bytes), as the limits are set: UPLOAD_MAX_BYTES=10485760 reads "10 MB", not
 * "10.5 MB". Exact below 1 KB; one decimal below 100 of a unit, without a trailing ".0" ("1.2 KB", "16 MB").
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < STEP) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / STEP;
  let unit = 0;
  // Rounded first, so 1023.96 KB moves up to "1 MB" rather than reading "1024 KB".
  while (round(value) >= STEP && unit < BYTE_UNITS.length - 1) {
    value /= STEP;
    unit++;
  }
  return `${round(value)} ${BYTE_UNITS[unit]}`;
}

function round(value: number): number {
  return value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${s % 60} s`;
}

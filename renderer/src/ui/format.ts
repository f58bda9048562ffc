/**
 * The one formatting module of the console: times (relative and local, with the exact
 * UTC value for hover), sizes in binary units, counts with separators, durations. Every
 * view formats through here, so one table of rules decides how numbers read.
 */

const counts = new Intl.NumberFormat('en');

/** `1,234,567` — separators, whatever the input's size. */
export function formatCount(value: number): string {
  return counts.format(value);
}

const sizeUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte count for people in binary units: `512 B`, `1.5 KiB`, `3.0 GiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < sizeUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${sizeUnits[unit]}`;
}

/** Seconds as `1 h 2 min`, `3 min 4 s` or `5 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/** Milliseconds as `850 ms` or `1.3 s` (a short operation's time). */
export function formatElapsed(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  return formatDuration(milliseconds / 1000);
}

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `2026-01-01 00:00:30 UTC`: the exact value, shown on hover and in details. */
export function formatUtc(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  return `${date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

/** The time in this machine's zone and locale, to the minute (`1/2/2026, 14:05`). */
export function formatLocal(iso: string, options: { seconds?: boolean } = {}): string {
  const date = parse(iso);
  if (!date) return iso;
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(options.seconds ? { second: '2-digit' } : {}),
  });
}

/** The local clock time only (`14:05:09`), for chart axes and "locks at". */
export function formatClock(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const relativeSteps: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `just now`, `5 minutes ago`, `in 3 days` — relative to `now`. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const date = parse(iso);
  if (!date) return iso;
  let value = (date.getTime() - now) / 1000;
  if (Math.abs(value) < 10) return 'just now';
  for (const [unit, size] of relativeSteps) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

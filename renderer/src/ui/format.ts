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

const pad2 = (value: number): string => String(value).padStart(2, '0');

/**
 * The shape the date-time fields take and show: local wall-clock time to the minute,
 * `2031-05-06 07:08`. Empty for no value or an unreadable one.
 */
export function formatLocalInput(value: Date | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const date = typeof value === 'string' ? parse(value) : value;
  if (!date || Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** What a date-time field's text reads as: an instant, or why it is none. */
export type LocalInputResult =
  { ok: true; date: Date } | { ok: false; reason: 'empty' | 'unreadable' | 'skipped'; message: string };

export const localInputMessages = {
  empty: 'Type a local date and time: YYYY-MM-DD HH:mm.',
  unreadable: 'Not a time this field can read: type it as YYYY-MM-DD HH:mm, e.g. 2031-05-06 07:08.',
  skipped: 'This local time does not exist here: the clock skips it when daylight saving time starts.',
} as const;

const localInputShape = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

/**
 * Reads `YYYY-MM-DD HH:mm` (or the `T` of an ISO string between them) as local time.
 * Strict: anything else is refused rather than guessed (no `Date` parsing of free text),
 * so is a day or time out of range (`2031-02-30`, `24:00`), and so is a wall-clock time
 * that a daylight-saving change skips in this machine's zone (it would silently move by
 * an hour). A time the clock shows twice when daylight saving ends is the first of the two.
 */
export function parseLocalInput(text: string): LocalInputResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'empty', message: localInputMessages.empty };
  const match = localInputShape.exec(trimmed);
  if (!match) return { ok: false, reason: 'unreadable', message: localInputMessages.unreadable };
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59) {
    return { ok: false, reason: 'unreadable', message: localInputMessages.unreadable };
  }
  const date = new Date(year, month - 1, day, hour, minute);
  // The fields are all in range, so a different read-back is a time the zone's clock skips.
  if (formatLocalInput(date) !== `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}`) {
    return { ok: false, reason: 'skipped', message: localInputMessages.skipped };
  }
  return { ok: true, date };
}

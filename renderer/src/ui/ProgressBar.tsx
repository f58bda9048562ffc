/** Formats a byte count for people (binary units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Formats seconds as `1 h 2 min`, `3 min 4 s` or `5 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

export interface ProgressBarProps {
  label: string;
  done: number;
  total: number;
  bytesPerSecond?: number;
  etaSeconds?: number | null;
}

/** A labelled progress bar with bytes, rate and time left, announced politely. */
export function ProgressBar({ label, done, total, bytesPerSecond, etaSeconds }: ProgressBarProps) {
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  return (
    <div role="group" aria-label={label} data-testid="progress">
      <progress
        className="progress"
        max={total > 0 ? total : 1}
        value={Math.min(done, total)}
        aria-label={label}
      />
      <div className="muted" aria-live="polite">
        <span data-testid="progress-bytes">
          {formatBytes(done)} of {formatBytes(total)}
        </span>{' '}
        ({percent} %)
        {bytesPerSecond !== undefined ? ` · ${formatBytes(bytesPerSecond)}/s` : ''}
        {etaSeconds !== undefined && etaSeconds !== null ? ` · ${formatDuration(etaSeconds)} left` : ''}
      </div>
    </div>
  );
}

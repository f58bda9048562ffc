import { Progress, Text } from '@mantine/core';
import { formatBytes, formatDuration } from './format.ts';

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
    <div
      role="group"
      aria-label={label}
      data-testid="progress"
      data-done={done}
      data-total={total}
      className="progress-block"
    >
      <Progress.Root size="sm" transitionDuration={0}>
        <Progress.Section value={percent} aria-label={label} />
      </Progress.Root>
      <Text size="xs" c="dimmed" aria-live="polite">
        <span data-testid="progress-bytes">
          {formatBytes(done)} of {formatBytes(total)}
        </span>{' '}
        ({percent} %)
        {bytesPerSecond !== undefined ? ` · ${formatBytes(bytesPerSecond)}/s` : ''}
        {etaSeconds !== undefined && etaSeconds !== null ? ` · ${formatDuration(etaSeconds)} left` : ''}
      </Text>
    </div>
  );
}

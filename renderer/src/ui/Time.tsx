import { Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import { formatLocal, formatRelative, formatUtc } from './format.ts';

/** Re-renders every `intervalMs`, so relative times stay true on a screen left open. */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * A time for people: relative ("5 minutes ago") or local, with the exact UTC value on
 * hover and focus, and in `dateTime` for assistive technology.
 */
export function Time({ iso, mode = 'relative' }: { iso: string; mode?: 'relative' | 'local' | 'both' }) {
  const now = useNow();
  const text =
    mode === 'relative'
      ? formatRelative(iso, now)
      : mode === 'local'
        ? formatLocal(iso)
        : `${formatLocal(iso)} (${formatRelative(iso, now)})`;
  return (
    <Tooltip label={formatUtc(iso)} withArrow openDelay={200}>
      <time dateTime={iso} className="time">
        {text}
      </time>
    </Tooltip>
  );
}

/** Progress of an unlock (bytes, rate, ETA), reported at most every `intervalMs`. */

export interface UnlockProgress {
  phase: 'download' | 'decrypt';
  bytes: number;
  total: number;
  /** Bytes per second over the phase so far. */
  rate: number;
  /** Seconds left at that rate (null before a rate is known). */
  etaSeconds: number | null;
}

export function progressReporter(
  phase: UnlockProgress['phase'],
  total: number,
  emit: ((progress: UnlockProgress) => void) | undefined,
  intervalMs = 200,
): (bytes: number) => void {
  const started = performance.now();
  let last = -Infinity;
  let sawNewBytes = false;
  let firstBytes: number | undefined;
  return (bytes: number) => {
    if (!emit) return;
    const now = performance.now();
    firstBytes ??= bytes; // bytes already there on resume do not count towards the rate
    // The first new bytes are always reported at once (time to first byte); then at most every interval.
    const firstNew = !sawNewBytes && bytes > firstBytes;
    if (firstNew) sawNewBytes = true;
    if (!firstNew && now - last < intervalMs && bytes < total) return;
    last = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? (bytes - firstBytes) / seconds : 0;
    emit({ phase, bytes, total, rate, etaSeconds: rate > 0 ? (total - bytes) / rate : null });
  };
}

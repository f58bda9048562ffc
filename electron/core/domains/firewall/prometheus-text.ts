/**
 * Reads one counter from Prometheus text exposition (format 0.0.4). Hand-written: the
 * console needs two unlabelled counters, and a full parser (with labels, histograms
 * and escapes) would be a dependency for a dozen lines.
 */

/** The sum of every sample of `name` (all label sets); 0 when absent. */
export function readCounter(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(
      rest
        .slice(rest.lastIndexOf('}') + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

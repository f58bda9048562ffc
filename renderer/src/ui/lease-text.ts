/**
 * How long a vault copy stays usable offline, in words an operator scans quickly:
 * days while there are days, hours on the last day, "expired" after. An expired lease
 * is renewed by the next online unlock.
 */
export function leaseLeft(validUntil: string | null, now: number = Date.now()): string | null {
  if (validUntil === null) return null;
  const end = Date.parse(validUntil);
  if (Number.isNaN(end)) return null;
  const left = end - now;
  if (left <= 0) return 'lease expired: unlock online to renew';
  const hours = Math.floor(left / 3_600_000);
  if (hours < 1) return 'lease ends within the hour';
  if (hours < 24) return hours === 1 ? '1 hour left' : `${hours} hours left`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day left' : `${days} days left`;
}

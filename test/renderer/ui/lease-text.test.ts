import { describe, expect, it } from 'vitest';
import { leaseLeft } from '../../../renderer/src/ui/lease-text.ts';

const now = Date.parse('2026-11-22T12:00:00Z');
const at = (ms: number) => new Date(now + ms).toISOString();
const hour = 3_600_000;

describe('lease time left', () => {
  it.each([
    [null, null],
    ['not a date', null],
    [at(-1), 'lease expired: unlock online to renew'],
    [at(0), 'lease expired: unlock online to renew'],
    [at(30 * 60_000), 'lease ends within the hour'],
    [at(hour + 30 * 60_000), '1 hour left'],
    [at(5 * hour + 1), '5 hours left'],
    [at(24 * hour), '1 day left'],
    [at(47 * hour), '1 day left'],
    [at(30 * 24 * hour), '30 days left'],
  ])('%s → %s', (validUntil, expected) => {
    expect(leaseLeft(validUntil, now)).toBe(expected);
  });
});

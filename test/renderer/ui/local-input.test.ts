/**
 * The date-time fields' text (renderer/src/ui/format.ts): `formatLocalInput` and the strict
 * `parseLocalInput` round trip; text that is not `YYYY-MM-DD HH:mm`, or names no real day or
 * time, is refused with a reason, never read as a guess or an invalid Date; and a wall-clock
 * time that a daylight-saving change skips is refused (the zone is set here: Node reads TZ
 * again when it changes).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalInput, localInputMessages, parseLocalInput } from '../../../renderer/src/ui/format.ts';

const savedZone = process.env.TZ;

beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});

afterAll(() => {
  if (savedZone === undefined) delete process.env.TZ;
  else process.env.TZ = savedZone;
});

function reads(text: string): Date {
  const result = parseLocalInput(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.date;
}

describe('parseLocalInput and formatLocalInput', () => {
  it('runs in the zone the test set (a summer and a winter offset)', () => {
    expect(new Date(2031, 0, 1).getTimezoneOffset()).toBe(-60);
    expect(new Date(2031, 6, 1).getTimezoneOffset()).toBe(-120);
  });

  it('reads local wall-clock time to the minute, with a space or a T', () => {
    expect(reads('2031-05-06 07:08').toISOString()).toBe('2031-05-06T05:08:00.000Z');
    expect(reads('2031-01-06 07:08').toISOString()).toBe('2031-01-06T06:08:00.000Z');
    expect(reads('  2031-05-06T07:08 ').toISOString()).toBe('2031-05-06T05:08:00.000Z');
    expect(reads('2032-02-29 23:59').getDate()).toBe(29);
    expect(reads('2031-12-31 00:00').getFullYear()).toBe(2031);
  });

  it('formats a Date or an ISO string as the field shows it, and nothing for no value', () => {
    expect(formatLocalInput(new Date(2031, 4, 6, 7, 8, 59))).toBe('2031-05-06 07:08');
    expect(formatLocalInput('2031-05-06T05:08:00.000Z')).toBe('2031-05-06 07:08');
    expect(formatLocalInput(null)).toBe('');
    expect(formatLocalInput(undefined)).toBe('');
    expect(formatLocalInput('not a time')).toBe('');
    expect(formatLocalInput(new Date(Number.NaN))).toBe('');
  });

  it('round trips every minute it formats', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }), (ms) => {
        const minute = new Date(Math.floor(ms / 60_000) * 60_000);
        const text = formatLocalInput(minute);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
        const back = parseLocalInput(text);
        expect(back.ok).toBe(true);
        // An hour shown twice when summer time ends reads as its first instance.
        if (back.ok) expect(formatLocalInput(back.date)).toBe(text);
        if (
          back.ok &&
          minute.getTimezoneOffset() === new Date(minute.getTime() - 3_600_000).getTimezoneOffset()
        ) {
          expect(back.date.getTime()).toBe(minute.getTime());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('says an empty field is empty', () => {
    expect(parseLocalInput('')).toEqual({ ok: false, reason: 'empty', message: localInputMessages.empty });
    expect(parseLocalInput('   ')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it.each([
    '2031-05-06',
    '07:08',
    '2031-5-6 7:08',
    '06/05/2031 07:08',
    'May 6, 2031 07:08',
    '2031-05-06 07:08:09',
    '2031-05-06T07:08Z',
    '2031-05-06T07:08+02:00',
    '2031-05-06  07:08',
    'tomorrow',
    '2031-13-01 00:00',
    '2031-00-10 00:00',
    '2031-02-29 12:00',
    '2031-04-31 12:00',
    '2031-05-00 12:00',
    '2031-05-06 24:00',
    '2031-05-06 23:60',
    '0999-05-06 07:08',
  ])('refuses %j as unreadable', (text) => {
    const result = parseLocalInput(text);
    expect(result).toEqual({ ok: false, reason: 'unreadable', message: localInputMessages.unreadable });
  });

  it('refuses a wall-clock time that the start of summer time skips, and reads the minutes either side', () => {
    // Europe/Berlin: 2031-03-30 02:00 → 03:00.
    expect(parseLocalInput('2031-03-30 02:00')).toEqual({
      ok: false,
      reason: 'skipped',
      message: localInputMessages.skipped,
    });
    expect(parseLocalInput('2031-03-30 02:59')).toMatchObject({ ok: false, reason: 'skipped' });
    expect(reads('2031-03-30 01:59').toISOString()).toBe('2031-03-30T00:59:00.000Z');
    expect(reads('2031-03-30 03:00').toISOString()).toBe('2031-03-30T01:00:00.000Z');
  });

  it('reads an hour the end of summer time shows twice as its first instance', () => {
    // Europe/Berlin: 2031-10-26 03:00 → 02:00; 02:30 is first 00:30 UTC, then 01:30 UTC.
    expect(reads('2031-10-26 02:30').toISOString()).toBe('2031-10-26T00:30:00.000Z');
  });
});

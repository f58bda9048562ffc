/** Clock set back detection of the offline vault (persisted last-seen time). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import {
  CLOCK_TOLERANCE_MS,
  checkAndRecordClock,
  lastSeen,
} from '../../../../../electron/core/domains/vault/vault-clock.ts';

let home: string;
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'vault-clock-'));
});
afterEach(async () => fs.rm(home, { recursive: true, force: true }));

describe('vault clock', () => {
  it('records the latest time and refuses a clock set back beyond the tolerance', async () => {
    const t0 = Date.parse('2026-06-01T12:00:00.000Z');
    expect(await lastSeen(home)).toBe(0);
    await checkAndRecordClock(home, t0);
    expect(await lastSeen(home)).toBe(t0);
    await checkAndRecordClock(home, t0 - CLOCK_TOLERANCE_MS + 1000); // small NTP step: tolerated
    expect(await lastSeen(home)).toBe(t0); // never moves backwards
    await expect(checkAndRecordClock(home, t0 - CLOCK_TOLERANCE_MS - 1000)).rejects.toMatchObject({
      code: ErrorCode.ClockSetBack,
    });
    await checkAndRecordClock(home, t0 + 60_000);
    expect(await lastSeen(home)).toBe(t0 + 60_000);
  });

  it('treats a damaged clock record as a clock set back, not as a reset', async () => {
    await fs.mkdir(path.join(home, 'vault'), { recursive: true });
    await fs.writeFile(path.join(home, 'vault', 'clock.json'), '{"last_seen": "garbage"}');
    await expect(checkAndRecordClock(home, Date.now())).rejects.toMatchObject({
      code: ErrorCode.ClockSetBack,
    });
  });
});

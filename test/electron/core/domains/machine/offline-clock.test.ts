/**
 * Clock set back detection of the offline vault (the sealed last-seen time), and the attacks on
 * its record: edited, deleted, taken from another activation, and an older genuine copy put back.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { localSealKey } from '../../../../../shared/node/crypto/local-seal.ts';
import {
  CLOCK_TOLERANCE_MS,
  checkAndRecordClock,
  lastSeen,
  sealClock,
  type ClockSealer,
} from '../../../../../electron/core/domains/machine/offline-clock.ts';

let home: string;
let sealer: ClockSealer;
const t0 = Date.parse('2026-06-01T12:00:00.000Z');
const clockFile = () => path.join(home, 'vault', 'clock.json');

beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'offline-clock-'));
  const activation = { machine_id: 'machine-a', activated_at: '2026-06-01T11:00:00.000Z' };
  sealer = { activation, sealKey: localSealKey(randomBytes(32), activation.machine_id) };
  await sealClock(home, sealer, t0);
});
afterEach(async () => fs.rm(home, { recursive: true, force: true }));

describe('vault clock', () => {
  it('records the latest time and refuses a clock set back beyond the tolerance', async () => {
    expect(await lastSeen(home)).toBe(t0);
    await checkAndRecordClock(home, sealer, t0 - CLOCK_TOLERANCE_MS + 1000); // small NTP step: tolerated
    expect(await lastSeen(home)).toBe(t0); // never moves backwards
    await expect(checkAndRecordClock(home, sealer, t0 - CLOCK_TOLERANCE_MS - 1000)).rejects.toMatchObject({
      code: ErrorCode.ClockSetBack,
    });
    await checkAndRecordClock(home, sealer, t0 + 60_000);
    expect(await lastSeen(home)).toBe(t0 + 60_000);
  });

  it('refuses a deleted record as tampered, not as "no time seen yet"', async () => {
    await fs.rm(clockFile());
    await expect(checkAndRecordClock(home, sealer, t0)).rejects.toMatchObject({ code: ErrorCode.Tampered });
    await expect(fs.access(clockFile())).rejects.toThrow(); // nothing written: no reset
  });

  it('refuses an edited time, an unsealed record, a damaged one and one sealed for another activation', async () => {
    const genuine = JSON.parse(await fs.readFile(clockFile(), 'utf8')) as { last_seen: string; seal: string };
    const earlier = new Date(t0 - 30 * 86_400_000).toISOString();
    const cases = [
      JSON.stringify({ ...genuine, last_seen: earlier }),
      JSON.stringify({ last_seen: earlier }),
      '{"last_seen": "garbage"}',
      'not json',
    ];
    for (const text of cases) {
      await fs.writeFile(clockFile(), text);
      await expect(checkAndRecordClock(home, sealer, t0 - 20 * 86_400_000), text).rejects.toMatchObject({
        code: ErrorCode.Tampered,
      });
    }
    const other: ClockSealer = {
      activation: { ...sealer.activation, activated_at: '2026-06-01T11:30:00.000Z' },
      sealKey: sealer.sealKey,
    };
    await sealClock(home, other, t0 - 30 * 86_400_000);
    await expect(checkAndRecordClock(home, sealer, t0 - 20 * 86_400_000)).rejects.toMatchObject({
      code: ErrorCode.Tampered,
    });
  });

  it('cannot tell an older genuine copy put back (docs/SECURITY.md, offline limits): it holds that copy’s time', async () => {
    const older = await fs.readFile(clockFile());
    await checkAndRecordClock(home, sealer, t0 + 10 * 86_400_000);
    await fs.writeFile(clockFile(), older);
    // Accepted: the seal is genuine. The clock can go back to the copy's time, not before it.
    await checkAndRecordClock(home, sealer, t0 + 86_400_000);
    await expect(checkAndRecordClock(home, sealer, t0 - CLOCK_TOLERANCE_MS - 1000)).rejects.toMatchObject({
      code: ErrorCode.ClockSetBack,
    });
  });
});

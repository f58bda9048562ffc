/**
 * Clock set back detection (docs/ARCHITECTURE.md §The offline vault): the console remembers the latest time it
 * saw (`vault/clock.json`) and refuses offline opening when the system clock is
 * behind it by more than a small tolerance (clock adjustments by NTP are seconds).
 * Without this, turning the clock back would revive an expired lease.
 *
 * The record is sealed with the machine key (shared/node/crypto/local-seal.ts) and bound to its
 * activation, and a sealed activation always has one (activation writes the first), so an edited,
 * foreign or deleted record is refused as `tampered`, never taken for "no time seen yet". What a
 * seal cannot tell is an older copy of this very record put back: docs/SECURITY.md §Threat model
 * and tests says what that allows.
 *
 * Activations made before seals have an unsealed record and no activation seal: offline opening
 * refuses them (`seal_missing`, activation-seal.ts) until an online unlock — whose lease the
 * server just signed under the pinned key — seals both ({@link sealClock}).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { writeFileAtomic } from '../../../../shared/node/atomic-file.ts';
import { readJsonFile } from '../../../../shared/node/json-file.ts';
import type { Activation } from './activation.store.ts';
import { ConsoleError } from '../../platform/console-error.ts';

export const CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * The record's schema and the seal functions load when a seal is checked or written, not with
 * this module: `status` only reads {@link lastSeen} (docs/CLI.md §Start-up: a command that starts at once).
 */
const loadClockSchema = async () => (await import('./offline-clock.schema.ts')).clockSchema;
const loadSeal = () => import('../../../../shared/node/crypto/local-seal.ts');

/** What a clock seal is made with: the activation it belongs to and its sealing key (secret). */
export interface ClockSealer {
  activation: Pick<Activation, 'machine_id' | 'activated_at'>;
  sealKey: Uint8Array;
}

/** In the vault's folder (vault.store.ts lays it out), where consoles have always kept it. */
const clockDir = (home: string): string => path.join(home, 'vault');
const clockPath = (home: string): string => path.join(clockDir(home), 'clock.json');

const sealedPart = (sealer: ClockSealer, lastSeen: string) => ({
  machine_id: sealer.activation.machine_id,
  activated_at: sealer.activation.activated_at,
  last_seen: lastSeen,
});

/**
 * The latest time seen, in ms since the epoch (0 when never recorded), unverified: for display
 * (`status`). Decisions use {@link checkAndRecordClock}, which checks the seal.
 */
export async function lastSeen(home: string): Promise<number> {
  try {
    const json = JSON.parse(await fs.readFile(clockPath(home), 'utf8')) as { last_seen?: unknown };
    const value = typeof json.last_seen === 'string' ? Date.parse(json.last_seen) : NaN;
    // A damaged clock file must not open the door: treat it as "far in the future".
    return Number.isNaN(value) ? Number.MAX_SAFE_INTEGER : value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    return Number.MAX_SAFE_INTEGER;
  }
}

function tampered(what: string): ConsoleError {
  return new ConsoleError(
    ErrorCode.Tampered,
    `${what}: the clock record that offline opening relies on cannot be trusted, so nothing was opened. ` +
      'Restore the console home from a backup, or activate this machine again.',
  );
}

/** The sealed high-water mark in ms; refuses a missing, damaged, unsealed or foreign record. */
async function sealedLastSeen(home: string, sealer: ClockSealer): Promise<number> {
  const read = await readJsonFile(clockPath(home), loadClockSchema);
  if (read.state === 'missing') throw tampered('vault/clock.json is missing');
  if (read.state !== 'ok') throw tampered('vault/clock.json is damaged');
  const { last_seen: seen, seal } = read.value;
  const { sealMatches } = await loadSeal();
  if (seal === undefined || !sealMatches(sealer.sealKey, 'clock', sealedPart(sealer, seen), seal))
    throw tampered('vault/clock.json was edited or comes from another activation');
  const value = Date.parse(seen);
  if (Number.isNaN(value)) throw tampered('vault/clock.json is damaged');
  return value;
}

async function writeSealed(home: string, sealer: ClockSealer, at: number): Promise<void> {
  const seen = new Date(at).toISOString();
  const { sealRecord } = await loadSeal();
  await fs.mkdir(clockDir(home), { recursive: true, mode: 0o700 });
  await writeFileAtomic(
    clockPath(home),
    `${JSON.stringify({ last_seen: seen, seal: sealRecord(sealer.sealKey, 'clock', sealedPart(sealer, seen)) })}\n`,
  );
}

/**
 * Refuses when `now` is behind the sealed latest time seen (`clock_set_back`), or when the record
 * cannot be trusted (`tampered`); otherwise records `now` if it is later.
 */
export async function checkAndRecordClock(
  home: string,
  sealer: ClockSealer,
  now: number = Date.now(),
): Promise<void> {
  const seen = await sealedLastSeen(home, sealer);
  if (now + CLOCK_TOLERANCE_MS < seen) {
    throw new ConsoleError(
      ErrorCode.ClockSetBack,
      `The system clock (${new Date(now).toISOString()}) is behind the last time this console saw ` +
        `(${new Date(seen).toISOString()}). Set the clock right, or unlock online.`,
    );
  }
  if (now > seen) await writeSealed(home, sealer, now);
}

/**
 * Starts the sealed record of a new activation, or seals the record of one made before seals (an
 * online unlock): the high-water mark is `now`, or the recorded time when that is later and
 * readable — a record that cannot be read starts again at `now`, as the server just confirmed
 * the activation.
 */
export async function sealClock(home: string, sealer: ClockSealer, now: number = Date.now()): Promise<void> {
  const recorded = await lastSeen(home);
  await writeSealed(home, sealer, recorded === Number.MAX_SAFE_INTEGER ? now : Math.max(now, recorded));
}

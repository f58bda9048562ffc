/**
 * Brute-force protection for sign-in (docs/SECURITY.md §Factory API): failures are
 * counted per account and per client address (an IPv6 client by its /64) in the
 * database, so a restart does not reset them.
 *
 * Back-off: from the {@link ACCOUNT_THRESHOLD}th consecutive failure on an account
 * (the {@link ADDRESS_THRESHOLD}th from one address), the key is locked for
 * 2^(failures − threshold) seconds, capped at {@link MAX_LOCK_S} (15 minutes).
 * Attempts while locked are refused without checking the password and do not
 * extend the lock, so an attacker can keep a real user waiting at most 15 minutes
 * after their own last counted failure. Counters reset after
 * {@link FAILURE_WINDOW_S} without failures, and an account's on a successful sign-in.
 */
import type { Db } from '../db/database.ts';
import { clientAddress } from '../firewall/ip-cidr.ts';

export const ACCOUNT_THRESHOLD = 5;
export const ADDRESS_THRESHOLD = 20;
export const MAX_LOCK_S = 15 * 60;
export const FAILURE_WINDOW_S = 60 * 60;

export interface LockState {
  locked: boolean;
  /** Seconds until the lock ends (≥ 1 when locked). */
  retryAfterS: number;
}

const accountKey = (email: string) => `account:${email}`;
/** An IPv4 client by its address, an IPv6 client by its /64 (as the rate limits count them). */
function addressKey(address: string): string {
  try {
    return `ip:${clientAddress(address).bucketKey}`;
  } catch {
    return `ip:${address}`;
  }
}

export class LoginThrottle {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Whether the account or the address is locked right now. */
  async check(email: string, address: string, now = Date.now()): Promise<LockState> {
    const rows = await this.#db
      .selectFrom('login_failures')
      .select(['locked_until'])
      .where('key', 'in', [accountKey(email), addressKey(address)])
      .execute();
    let until = 0;
    for (const row of rows) {
      if (row.locked_until !== null) until = Math.max(until, Date.parse(row.locked_until));
    }
    return until > now
      ? { locked: true, retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)) }
      : { locked: false, retryAfterS: 0 };
  }

  /** Counts a failure on both keys; returns the resulting lock state. */
  async recordFailure(email: string, address: string, now = Date.now()): Promise<LockState> {
    await this.#db.transaction().execute(async (trx) => {
      for (const [key, threshold] of [
        [accountKey(email), ACCOUNT_THRESHOLD],
        [addressKey(address), ADDRESS_THRESHOLD],
      ] as const) {
        const row = await trx
          .selectFrom('login_failures')
          .selectAll()
          .where('key', '=', key)
          .executeTakeFirst();
        const stale = row !== undefined && now - Date.parse(row.last_failure_at) > FAILURE_WINDOW_S * 1000;
        const failures = row === undefined || stale ? 1 : row.failures + 1;
        const lockS = failures >= threshold ? Math.min(2 ** (failures - threshold), MAX_LOCK_S) : 0;
        const values = {
          failures,
          locked_until: lockS > 0 ? new Date(now + lockS * 1000).toISOString() : null,
          last_failure_at: new Date(now).toISOString(),
        };
        if (row === undefined)
          await trx
            .insertInto('login_failures')
            .values({ key, ...values })
            .execute();
        else await trx.updateTable('login_failures').set(values).where('key', '=', key).execute();
      }
    });
    return this.check(email, address, now);
  }

  /** A successful sign-in clears the account's counter (not the address's). */
  async recordSuccess(email: string): Promise<void> {
    await this.#db.deleteFrom('login_failures').where('key', '=', accountKey(email)).execute();
  }
}

/**
 * Second factors of an account: TOTP enrolment and checks (each time step accepted
 * once), recovery codes (single use), and which methods an account can sign in with.
 * Passkeys live in webauthn.service.ts; this service only counts them.
 */
import type { Db } from '../../db/database.ts';
import { withIdentityTables, type IdentityDb } from './mfa.tables.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { newTotpSecret, openSecret, otpauthUrl, sealSecret, totpSealKey, totpStepOf } from './totp.ts';

export const MfaMethod = { Totp: 'totp', Webauthn: 'webauthn', Recovery: 'recovery' } as const;
export type MfaMethod = (typeof MfaMethod)[keyof typeof MfaMethod];

const iso = (ms: number) => new Date(ms).toISOString();

/** What an account has enrolled (no secrets). */
export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  recovery_codes_left: number;
}

export class MfaService {
  readonly #db: IdentityDb;
  readonly #sealKey: Buffer;

  constructor(db: Db, masterKey: Uint8Array, sealKey?: Buffer) {
    this.#db = withIdentityTables(db);
    this.#sealKey = sealKey ?? totpSealKey(masterKey);
  }

  /** The same service on `trx` (a change committed with its audit entry: `app.audit.transact`). */
  in(trx: Db): MfaService {
    return new MfaService(trx, new Uint8Array(0), this.#sealKey);
  }

  /** Runs `work` in a transaction: this service's own, or the one it is already `in`. */
  #atomic<T>(work: (trx: IdentityDb) => Promise<T>): Promise<T> {
    return this.#db.isTransaction ? work(this.#db) : this.#db.transaction().execute(work);
  }

  async summary(userId: string): Promise<FactorSummary> {
    const [totp, passkeys, codes] = await Promise.all([
      this.#db.selectFrom('mfa_totp').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst(),
      this.#db
        .selectFrom('mfa_webauthn_credentials')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('user_id', '=', userId)
        .executeTakeFirst(),
      this.#db
        .selectFrom('mfa_recovery_codes')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst(),
    ]);
    return {
      totp: totp?.confirmed_at != null,
      passkeys: Number(passkeys?.count ?? 0),
      recovery_codes_left: Number(codes?.count ?? 0),
    };
  }

  /** The methods a sign-in can finish with; empty when the account has no second factor. */
  async methods(userId: string): Promise<MfaMethod[]> {
    const summary = await this.summary(userId);
    const methods: MfaMethod[] = [];
    if (summary.totp) methods.push(MfaMethod.Totp);
    if (summary.passkeys > 0) methods.push(MfaMethod.Webauthn);
    // Recovery codes stand in for a lost factor; alone they are not a factor.
    if (methods.length > 0 && summary.recovery_codes_left > 0) methods.push(MfaMethod.Recovery);
    return methods;
  }

  /** Starts (or restarts) TOTP enrolment; refused while a confirmed TOTP exists. */
  async startTotp(
    userId: string,
    account: string,
    now = Date.now(),
  ): Promise<{ secret: string; otpauth_url: string } | 'already_enrolled'> {
    const existing = await this.#db
      .selectFrom('mfa_totp')
      .select('confirmed_at')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (existing?.confirmed_at != null) return 'already_enrolled';
    const secret = newTotpSecret();
    const sealed = sealSecret(this.#sealKey, secret, userId);
    await this.#db.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
    await this.#db
      .insertInto('mfa_totp')
      .values({
        user_id: userId,
        secret_sealed: sealed,
        confirmed_at: null,
        last_step: -1,
        created_at: iso(now),
      })
      .execute();
    return { secret, otpauth_url: otpauthUrl(secret, account) };
  }

  /**
   * Confirms a pending enrolment with its first code; returns fresh recovery codes
   * (replacing any earlier set), or undefined when the code is wrong or nothing is pending.
   */
  async confirmTotp(userId: string, code: string, now = Date.now()): Promise<string[] | undefined> {
    const row = await this.#db
      .selectFrom('mfa_totp')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row || row.confirmed_at !== null) return undefined;
    const step = totpStepOf(openSecret(this.#sealKey, row.secret_sealed, userId), code, now);
    if (step === undefined) return undefined;
    return this.#atomic(async (trx) => {
      const updated = await trx
        .updateTable('mfa_totp')
        .set({ confirmed_at: iso(now), last_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return undefined;
      return this.#replaceRecoveryCodes(trx, userId, now);
    });
  }

  /** Checks a TOTP code; a code of an already used (or earlier) step is refused as a replay. */
  async verifyTotp(userId: string, code: string, now = Date.now()): Promise<boolean> {
    const row = await this.#db
      .selectFrom('mfa_totp')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row || row.confirmed_at === null) return false;
    const step = totpStepOf(openSecret(this.#sealKey, row.secret_sealed, userId), code, now);
    if (step === undefined || step <= Number(row.last_step)) return false;
    // Conditional on the step still being newer, so two concurrent uses of one code cannot both pass.
    const updated = await this.#db
      .updateTable('mfa_totp')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where('last_step', '<', step)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Spends one recovery code; false when it is unknown or spent. */
  async useRecoveryCode(userId: string, code: string, now = Date.now()): Promise<boolean> {
    if (code.length > 64) return false;
    const updated = await this.#db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: iso(now) })
      .where('code_hash', '=', hashRecoveryCode(code))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Removes TOTP; with no factor left, the recovery codes go too. */
  async removeTotp(userId: string): Promise<void> {
    await this.#db.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
    await this.dropRecoveryCodesIfNoFactor(userId);
  }

  async dropRecoveryCodesIfNoFactor(userId: string): Promise<void> {
    const summary = await this.summary(userId);
    if (!summary.totp && summary.passkeys === 0) {
      await this.#db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    }
  }

  /** A fresh set of recovery codes (the old ones stop working). */
  async regenerateRecoveryCodes(userId: string, now = Date.now()): Promise<string[]> {
    return this.#atomic((trx) => this.#replaceRecoveryCodes(trx, userId, now));
  }

  async #replaceRecoveryCodes(trx: IdentityDb, userId: string, now: number): Promise<string[]> {
    const codes = newRecoveryCodes();
    await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await trx
      .insertInto('mfa_recovery_codes')
      .values(
        codes.map((code) => ({
          code_hash: hashRecoveryCode(code),
          user_id: userId,
          created_at: iso(now),
          used_at: null,
        })),
      )
      .execute();
    return codes;
  }

  /** User ids among `userIds` that have a confirmed factor (the production guard's check). */
  async usersWithFactor(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const totp = await this.#db
      .selectFrom('mfa_totp')
      .select('user_id')
      .where('user_id', 'in', userIds)
      .where('confirmed_at', 'is not', null)
      .execute();
    const keys = await this.#db
      .selectFrom('mfa_webauthn_credentials')
      .select('user_id')
      .where('user_id', 'in', userIds)
      .execute();
    return new Set([...totp, ...keys].map((row) => row.user_id));
  }
}

/**
 * Activated machines (docs/ARCHITECTURE.md §The key hierarchy): registration with a per-account seat limit
 * (re-activating the same hardware hash does not take a second seat), revocation,
 * and signed leases.
 */
import { randomBytes } from 'node:crypto';
import { LEASE_FORMAT, type Lease, type SignedLease } from '../../shared/common/api/resources.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ApiError } from '../errors.ts';
import type { SigningKey } from '../secrets/server-keys.ts';
import type { Db } from '../db/database.ts';
import { resourcesDb, type MachinesTable, type ResourcesDb } from '../resources/resources.tables.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export class MachinesService {
  readonly #db: ResourcesDb;
  readonly #signing: SigningKey;
  readonly #maxPerUser: number;
  readonly #leaseDays: number;

  constructor(db: ResourcesDb, signing: SigningKey, limits: { maxPerUser: number; leaseDays: number }) {
    this.#db = db;
    this.#signing = signing;
    this.#maxPerUser = limits.maxPerUser;
    this.#leaseDays = limits.leaseDays;
  }

  /** The same service on `trx` (a change committed with its audit entry: `app.audit.transact`). */
  in(trx: Db): MachinesService {
    return new MachinesService(resourcesDb(trx), this.#signing, {
      maxPerUser: this.#maxPerUser,
      leaseDays: this.#leaseDays,
    });
  }

  /** Signs a lease for `machine` over `resourceIds`, valid for the configured number of days. */
  lease(
    machine: Pick<MachinesTable, 'id' | 'user_id'>,
    resourceIds: string[],
    now = new Date(),
  ): SignedLease {
    const lease: Lease = {
      format: LEASE_FORMAT,
      user_id: machine.user_id,
      machine_id: machine.id,
      resource_ids: resourceIds,
      issued_at: now.toISOString(),
      valid_until: new Date(now.getTime() + this.#leaseDays * DAY_MS).toISOString(),
    };
    return { lease, signature: this.#signing.signCanonical(lease) };
  }

  /**
   * Registers a machine for `userId`, or re-activates the caller's live machine with
   * the same hardware hash (new key, same seat). Refuses past the seat limit.
   */
  async activate(userId: string, input: { hwHash: string; publicKey: string; label: string }) {
    const live = await this.#db
      .selectFrom('machines')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    const same = live.find((machine) => machine.hw_hash === input.hwHash);
    if (same) {
      await this.#db
        .updateTable('machines')
        .set({ public_key: input.publicKey, label: input.label })
        .where('id', '=', same.id)
        .execute();
      return { machine: { ...same, public_key: input.publicKey, label: input.label }, reactivated: true };
    }
    if (live.length >= this.#maxPerUser) {
      throw new ApiError(
        ErrorCode.SeatLimit,
        `seat limit reached: ${live.length} of ${this.#maxPerUser} machines are active for this account; deactivate one first`,
      );
    }
    const machine: MachinesTable = {
      id: `mch_${randomBytes(12).toString('hex')}`,
      user_id: userId,
      hw_hash: input.hwHash,
      public_key: input.publicKey,
      label: input.label,
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    await this.#db.insertInto('machines').values(machine).execute();
    return { machine, reactivated: false };
  }

  async list(userId: string | null) {
    let query = this.#db
      .selectFrom('machines')
      .select(['id', 'user_id', 'label', 'created_at', 'revoked_at']);
    if (userId !== null) query = query.where('user_id', '=', userId);
    return query.orderBy('created_at').execute();
  }

  async get(id: string): Promise<MachinesTable> {
    const row = await this.#db.selectFrom('machines').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError(ErrorCode.NotFound, 'no such machine');
    return row;
  }

  async revoke(id: string): Promise<void> {
    await this.#db
      .updateTable('machines')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

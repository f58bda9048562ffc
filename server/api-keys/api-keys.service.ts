/**
 * API keys for services (`X-API-Key`; docs/SECURITY.md §Factory API): 256 random bits,
 * shown once, stored as SHA-256 only, scoped to a subset of the creator's permissions
 * and never more than the creator still holds when the key is used.
 *
 * Format: `fk_<id>_<secret>` — the id (public) finds the row, the secret is compared
 * in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { ApiKeysTable } from '../db/schema.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { PERMISSIONS, Role, roleHasPermission, type Permission } from '../../shared/common/roles.ts';
import type { ApiKey, CreatedApiKey } from '../../shared/common/api/api-keys.ts';
import { ApiError } from '../errors.ts';
import { toRole } from '../users/users.service.ts';

const DAY_MS = 86_400_000;
const KEY_FORMAT = /^fk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest();

function scopesOf(row: ApiKeysTable): Permission[] {
  const parsed = JSON.parse(row.scopes) as unknown;
  return Array.isArray(parsed)
    ? parsed.filter((scope): scope is Permission => PERMISSIONS.includes(scope as Permission))
    : [];
}

function toPublic(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: scopesOf(row),
    owner_id: row.owner_id,
    created_at: row.created_at,
    expires_at: row.expires_at,
    last_used_at: row.last_used_at,
  };
}

export interface ApiKeyPrincipal {
  keyId: string;
  ownerId: string;
  ownerEmail: string;
  /** Scopes the owner still holds. */
  permissions: Permission[];
}

export class ApiKeysService {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The same service on `trx` (a change committed with its audit entry: `app.audit.transact`). */
  in(trx: Db): ApiKeysService {
    return new ApiKeysService(trx);
  }

  /** Creates a key for `owner` that lives `days` days (the route applies the server's limits). */
  async create(
    owner: { id: string; role: string },
    input: { name: string; scopes: Permission[] },
    days: number,
  ): Promise<CreatedApiKey> {
    const role = toRole(owner.role);
    const excess = input.scopes.filter((scope) => !roleHasPermission(role, scope));
    if (excess.length > 0)
      throw new ApiError(
        ErrorCode.Forbidden,
        `you cannot grant scopes you do not hold: ${excess.join(', ')}`,
      );
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = Date.now();
    const row: ApiKeysTable = {
      id,
      name: input.name,
      prefix: `fk_${id}`,
      secret_hash: sha256(secret).toString('hex'),
      scopes: JSON.stringify([...new Set(input.scopes)]),
      owner_id: owner.id,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + days * DAY_MS).toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.#db.insertInto('api_keys').values(row).execute();
    return { ...toPublic(row), key: `fk_${id}_${secret}` };
  }

  /**
   * Live keys; with `aboveAdmin` false (the caller is not a super_admin), keys owned by a
   * super_admin are left out: an account manages keys up to its own rank.
   */
  async list(aboveAdmin = true): Promise<ApiKey[]> {
    let query = this.#db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.owner_id')
      .selectAll('api_keys')
      .where('api_keys.revoked_at', 'is', null);
    if (!aboveAdmin) query = query.where('users.role', '!=', Role.SuperAdmin);
    const rows = await query.orderBy('api_keys.created_at').execute();
    return rows.map(toPublic);
  }

  /** Revokes a live key the caller may see (see {@link list}); 404 otherwise. */
  async revoke(id: string, aboveAdmin = true): Promise<ApiKey> {
    const row = await this.#db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.owner_id')
      .selectAll('api_keys')
      .select('users.role as owner_role')
      .where('api_keys.id', '=', id)
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || (!aboveAdmin && row.owner_role === Role.SuperAdmin))
      throw new ApiError(ErrorCode.NotFound, 'no such API key');
    await this.#db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    return toPublic(row);
  }

  /**
   * A new secret for a live key of `ownerId` (only the owner: the secret is handed to the
   * caller, and another account's key carries that account's permissions); the old
   * secret stops working at once, and the key lives `days` days from now. 404 otherwise.
   */
  async rotate(id: string, ownerId: string, days: number): Promise<CreatedApiKey> {
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where('owner_id', '=', ownerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new ApiError(ErrorCode.NotFound, 'no such API key');
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + days * DAY_MS).toISOString();
    const secretHash = sha256(secret).toString('hex');
    await this.#db
      .updateTable('api_keys')
      .set({ secret_hash: secretHash, expires_at: expiresAt })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return {
      ...toPublic({ ...row, secret_hash: secretHash, expires_at: expiresAt }),
      key: `fk_${id}_${secret}`,
    };
  }

  /** Revokes every live key of `ownerId` (a password reset by an administrator, disabling); returns how many. */
  async revokeAllOf(ownerId: string): Promise<number> {
    const result = await this.#db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('owner_id', '=', ownerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The principal behind a presented key, or undefined (unknown, revoked, expired, owner disabled). */
  async authenticate(presented: string, now = Date.now()): Promise<ApiKeyPrincipal | undefined> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) return undefined;
    const row = await this.#db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.owner_id')
      .selectAll('api_keys')
      .select(['users.email as owner_email', 'users.role as owner_role', 'users.disabled as owner_disabled'])
      .where('api_keys.id', '=', match[1]!)
      .executeTakeFirst();
    if (!row) return undefined;
    const expected = Buffer.from(row.secret_hash, 'hex');
    if (!timingSafeEqual(expected, sha256(match[2]!))) return undefined;
    if (row.revoked_at !== null || row.owner_disabled === 1) return undefined;
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now) return undefined;
    const role = toRole(row.owner_role);
    await this.#db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', row.id)
      .execute();
    return {
      keyId: row.id,
      ownerId: row.owner_id,
      ownerEmail: row.owner_email,
      permissions: scopesOf(row).filter((scope) => roleHasPermission(role, scope)),
    };
  }
}

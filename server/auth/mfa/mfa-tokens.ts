/**
 * The token between a correct password and the second factor. It is 256 random bits,
 * stored as SHA-256 only, lives {@link MFA_TOKEN_TTL_S} seconds, works only for the
 * client that received it (address and user agent), and is spent by the first
 * successful factor. A wrong factor does not spend it, but counts as a failed sign-in
 * on the account (the same lock-out as passwords, see login-throttle.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { withIdentityTables, type IdentityDb, type MfaTokensTable } from './mfa.tables.ts';

export const MFA_TOKEN_TTL_S = 5 * 60;
const PREFIX = 'mt_';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();

/** What a token is bound to besides its account: the client's address and user agent. */
export function clientBinding(address: string, userAgent: string | undefined): string {
  return sha256(`${address}\n${userAgent ?? ''}`);
}

export class MfaTokenService {
  readonly #db: IdentityDb;

  constructor(db: Db) {
    this.#db = withIdentityTables(db);
  }

  /** The same service on `trx` (a change committed with its audit entry: `app.audit.transact`). */
  in(trx: Db): MfaTokenService {
    return new MfaTokenService(trx);
  }

  async issue(
    userId: string,
    client: string,
    sessionKind: 'bearer' | 'cookie',
    firstFactor: 'pwd' | 'ext' | 'step_up',
    now = Date.now(),
  ): Promise<string> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    // Expired tokens are swept here, so the table holds at most a few minutes of sign-ins.
    await this.#db.deleteFrom('mfa_tokens').where('expires_at', '<', iso(now)).execute();
    await this.#db
      .insertInto('mfa_tokens')
      .values({
        token_hash: sha256(token),
        user_id: userId,
        client_hash: client,
        session_kind: sessionKind,
        first_factor: firstFactor,
        webauthn_challenge: null,
        created_at: iso(now),
        expires_at: iso(now + MFA_TOKEN_TTL_S * 1000),
        used_at: null,
      })
      .execute();
    return token;
  }

  /** The live, unspent row of a token presented by `client`, or undefined. */
  async find(token: string, client: string, now = Date.now()): Promise<MfaTokensTable | undefined> {
    if (!token.startsWith(PREFIX) || token.length > 100) return undefined;
    const row = await this.#db
      .selectFrom('mfa_tokens')
      .selectAll()
      .where('token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.used_at !== null || Date.parse(row.expires_at) <= now || row.client_hash !== client) {
      return undefined;
    }
    return row;
  }

  /** Spends a token; false when another request spent it first. */
  async spend(tokenHash: string, now = Date.now()): Promise<boolean> {
    const result = await this.#db
      .updateTable('mfa_tokens')
      .set({ used_at: iso(now) })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setChallenge(tokenHash: string, challenge: string): Promise<void> {
    await this.#db
      .updateTable('mfa_tokens')
      .set({ webauthn_challenge: challenge })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
}

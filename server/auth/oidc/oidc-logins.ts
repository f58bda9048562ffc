/**
 * The rows of a single sign-on in progress (table `oidc_logins`): the server's PKCE
 * verifier, `state` and `nonce` for the provider, the console's own PKCE challenge and
 * `state` for the loopback hop, and the one-time code the console redeems. Every step
 * is claimed once with a conditional update, so a replayed callback, a replayed ID token
 * (its nonce, table `oidc_claimed_nonces`) or a replayed code finds nothing to claim —
 * on SQLite and PostgreSQL alike, and across instances sharing the database.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { withIdentityTables, type OidcLoginsTable } from '../mfa/mfa.tables.ts';

/** How long the browser may take at the provider (login page, consent, a second factor there). */
export const OIDC_LOGIN_TTL_S = 10 * 60;
/** How long the console has to redeem its code after the browser came back. */
export const OIDC_CODE_TTL_S = 60;
const CODE_PREFIX = 'sc_';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();

/** RFC 7636 S256: base64url(SHA-256(verifier)). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export type StateClaim =
  | { ok: true; login: OidcLoginsTable }
  | { ok: false; reason: 'state_unknown' | 'state_used' | 'state_expired'; login?: OidcLoginsTable };

export class OidcLogins {
  readonly #db: ReturnType<typeof withIdentityTables>;

  constructor(db: Db) {
    this.#db = withIdentityTables(db);
  }

  /** The same store on `trx` (claimed together with the account change and its audit entry). */
  in(trx: Db): OidcLogins {
    return new OidcLogins(trx);
  }

  async begin(
    input: {
      state: string;
      nonce: string;
      codeVerifier: string;
      returnTo: string;
      clientChallenge: string;
      clientState: string | undefined;
    },
    now = Date.now(),
  ): Promise<void> {
    // Finished and abandoned sign-ins are swept here, so the table holds minutes of them.
    await this.#db
      .deleteFrom('oidc_logins')
      .where('expires_at', '<', iso(now - OIDC_LOGIN_TTL_S * 1000))
      .execute();
    await this.#db
      .insertInto('oidc_logins')
      .values({
        state_hash: sha256(input.state),
        nonce: input.nonce,
        code_verifier: input.codeVerifier,
        return_to: input.returnTo,
        session_kind: 'bearer',
        created_at: iso(now),
        expires_at: iso(now + OIDC_LOGIN_TTL_S * 1000),
        claimed_at: null,
        user_id: null,
        amr: null,
        ticket_hash: null,
        ticket_used_at: null,
        client_challenge: input.clientChallenge,
        client_state: input.clientState ?? null,
        ticket_expires_at: null,
      })
      .execute();
  }

  /** Claims the sign-in a provider's answer names by its `state`: once, while it lives. */
  async claimState(state: string, now = Date.now()): Promise<StateClaim> {
    if (state.length === 0 || state.length > 200) return { ok: false, reason: 'state_unknown' };
    const stateHash = sha256(state);
    const login = await this.#db
      .selectFrom('oidc_logins')
      .selectAll()
      .where('state_hash', '=', stateHash)
      .executeTakeFirst();
    if (!login) return { ok: false, reason: 'state_unknown' };
    if (login.claimed_at !== null) return { ok: false, reason: 'state_used', login };
    if (Date.parse(login.expires_at) <= now) return { ok: false, reason: 'state_expired', login };
    const claimed = await this.#db
      .updateTable('oidc_logins')
      .set({ claimed_at: iso(now) })
      .where('state_hash', '=', stateHash)
      .where('claimed_at', 'is', null)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return { ok: false, reason: 'state_used', login };
    return { ok: true, login };
  }

  /** Records an ID token's nonce as spent; false when it was spent before (a replayed token). */
  async claimNonce(nonce: string, now = Date.now()): Promise<boolean> {
    await this.#db
      .deleteFrom('oidc_claimed_nonces')
      .where('claimed_at', '<', iso(now - 24 * 60 * 60 * 1000))
      .execute();
    const result = await this.#db
      .insertInto('oidc_claimed_nonces')
      .values({ nonce_hash: sha256(nonce), claimed_at: iso(now) })
      .onConflict((conflict) => conflict.column('nonce_hash').doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  /** The one-time code the console redeems with its verifier; only its hash is stored. */
  async issueCode(stateHash: string, userId: string, amr: string[], now = Date.now()): Promise<string> {
    const code = CODE_PREFIX + randomBytes(32).toString('base64url');
    await this.#db
      .updateTable('oidc_logins')
      .set({
        user_id: userId,
        amr: JSON.stringify(amr),
        ticket_hash: sha256(code),
        ticket_expires_at: iso(now + OIDC_CODE_TTL_S * 1000),
      })
      .where('state_hash', '=', stateHash)
      .execute();
    return code;
  }

  /**
   * Spends a code whose PKCE verifier matches the challenge the console started with.
   * Undefined for an unknown, spent, expired or wrongly proven code.
   */
  async redeem(
    code: string,
    verifier: string,
    now = Date.now(),
  ): Promise<{ userId: string; amr: string[] } | undefined> {
    if (!code.startsWith(CODE_PREFIX) || code.length > 100) return undefined;
    const codeHash = sha256(code);
    const login = await this.#db
      .selectFrom('oidc_logins')
      .selectAll()
      .where('ticket_hash', '=', codeHash)
      .executeTakeFirst();
    if (
      !login?.user_id ||
      login.ticket_used_at !== null ||
      login.ticket_expires_at === null ||
      Date.parse(login.ticket_expires_at) <= now ||
      login.client_challenge === null
    ) {
      return undefined;
    }
    const expected = Buffer.from(login.client_challenge);
    const actual = Buffer.from(s256(verifier));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    const spent = await this.#db
      .updateTable('oidc_logins')
      .set({ ticket_used_at: iso(now) })
      .where('ticket_hash', '=', codeHash)
      .where('ticket_used_at', 'is', null)
      .executeTakeFirst();
    if (spent.numUpdatedRows === 0n) return undefined;
    return { userId: login.user_id, amr: JSON.parse(login.amr ?? '[]') as string[] };
  }
}

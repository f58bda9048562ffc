/**
 * Passkeys (WebAuthn Level 3) as a second factor, through `@simplewebauthn/server`:
 * registration (several per account, named), assertion during sign-in or step-up, and
 * the signature counter — an assertion whose counter does not move past the stored
 * one is refused, since it comes from a cloned authenticator (WebAuthn §6.1.1).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Db } from '../../db/database.ts';
import type { Passkey } from '../../../shared/common/api/identity.ts';
import { withIdentityTables, type IdentityDb } from './mfa.tables.ts';

export const WEBAUTHN_CHALLENGE_TTL_S = 5 * 60;
export const RP_NAME = 'Factory API';
const iso = (ms: number) => new Date(ms).toISOString();

export class WebauthnService {
  readonly #db: IdentityDb;
  readonly #rpId: string;
  readonly #origins: string[];

  constructor(db: Db, relyingParty: { rpId: string; origins: string[] }) {
    this.#db = withIdentityTables(db);
    this.#rpId = relyingParty.rpId;
    this.#origins = relyingParty.origins;
  }

  /** The same service on `trx` (a change committed with its audit entry: `app.audit.transact`). */
  in(trx: Db): WebauthnService {
    return new WebauthnService(trx, { rpId: this.#rpId, origins: this.#origins });
  }

  async list(userId: string): Promise<Passkey[]> {
    const rows = await this.#db
      .selectFrom('mfa_webauthn_credentials')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows;
  }

  async #credentials(userId: string) {
    return this.#db
      .selectFrom('mfa_webauthn_credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
  }

  /** Options for `startRegistration()`; the challenge is kept for {@link WEBAUTHN_CHALLENGE_TTL_S}. */
  async registrationOptions(
    user: { id: string; email: string },
    now = Date.now(),
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.#credentials(user.id);
    const options = await generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: this.#rpId,
      userName: user.email,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({
        id: row.id,
        transports: JSON.parse(row.transports) as AuthenticatorTransport[],
      })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    await this.#db.deleteFrom('webauthn_registrations').where('user_id', '=', user.id).execute();
    await this.#db
      .insertInto('webauthn_registrations')
      .values({
        user_id: user.id,
        challenge: options.challenge,
        expires_at: iso(now + WEBAUTHN_CHALLENGE_TTL_S * 1000),
      })
      .execute();
    return options;
  }

  /** Verifies a registration against the pending challenge (spent either way); the new passkey or undefined. */
  async register(
    userId: string,
    name: string,
    response: unknown,
    now = Date.now(),
  ): Promise<Passkey | undefined> {
    const pending = await this.#db
      .deleteFrom('webauthn_registrations')
      .where('user_id', '=', userId)
      .returning(['challenge', 'expires_at'])
      .executeTakeFirst();
    if (!pending || Date.parse(pending.expires_at) <= now) return undefined;
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: pending.challenge,
        expectedOrigin: this.#origins,
        expectedRPID: this.#rpId,
        requireUserVerification: false,
      });
    } catch {
      return undefined;
    }
    if (!verification.verified) return undefined;
    const { credential } = verification.registrationInfo;
    const row = {
      id: credential.id,
      user_id: userId,
      name,
      public_key: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: JSON.stringify(credential.transports ?? []),
      created_at: iso(now),
      last_used_at: null,
    };
    const taken = await this.#db
      .selectFrom('mfa_webauthn_credentials')
      .select('id')
      .where('id', '=', credential.id)
      .executeTakeFirst();
    if (taken) return undefined;
    await this.#db.insertInto('mfa_webauthn_credentials').values(row).execute();
    return { id: row.id, name, created_at: row.created_at, last_used_at: null };
  }

  /** Options for `startAuthentication()` limited to the account's passkeys. */
  async authenticationOptions(userId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const rows = await this.#credentials(userId);
    return generateAuthenticationOptions({
      rpID: this.#rpId,
      userVerification: 'preferred',
      allowCredentials: rows.map((row) => ({
        id: row.id,
        transports: JSON.parse(row.transports) as AuthenticatorTransport[],
      })),
    });
  }

  /**
   * Checks an assertion for `expectedChallenge` by one of the account's passkeys and
   * moves its counter; false for anything else (unknown key, bad signature, stale counter).
   */
  async verify(
    userId: string,
    expectedChallenge: string,
    assertion: unknown,
    now = Date.now(),
  ): Promise<boolean> {
    const response = assertion as AuthenticationResponseJSON;
    if (typeof response?.id !== 'string') return false;
    const row = await this.#db
      .selectFrom('mfa_webauthn_credentials')
      .selectAll()
      .where('id', '=', response.id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return false;
    const stored = Number(row.counter);
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: this.#origins,
        expectedRPID: this.#rpId,
        credential: {
          id: row.id,
          publicKey: Buffer.from(row.public_key, 'base64url'),
          counter: stored,
          transports: JSON.parse(row.transports) as AuthenticatorTransport[],
        },
        requireUserVerification: false,
      });
    } catch {
      return false;
    }
    if (!verification.verified) return false;
    const next = verification.authenticationInfo.newCounter;
    // Conditional on the stored counter, so two concurrent uses of one assertion cannot both pass.
    let update = this.#db
      .updateTable('mfa_webauthn_credentials')
      .set({ counter: next, last_used_at: iso(now) })
      .where('id', '=', row.id);
    if (next > 0) update = update.where('counter', '<', next);
    const result = await update.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async rename(userId: string, id: string, name: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('mfa_webauthn_credentials')
      .set({ name })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('mfa_webauthn_credentials')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

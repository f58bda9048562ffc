/**
 * Second factors, sign-in challenges, OpenID Connect logins and step-up (docs/IDENTITY.md):
 * TOTP secrets (sealed), recovery codes (hashed), passkeys, the short-lived tokens
 * between password and factor, WebAuthn registration challenges, OIDC state/nonce
 * rows claimed once, and when a session last proved who it is.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0040Identity: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('mfa_totp')
      .addColumn('user_id', 'text', (column) =>
        column.primaryKey().references('users.id').onDelete('cascade'),
      )
      .addColumn('secret_sealed', 'text', (column) => column.notNull())
      .addColumn('confirmed_at', 'text')
      .addColumn('last_step', 'integer', (column) => column.notNull().defaultTo(-1))
      .addColumn('created_at', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('mfa_recovery_codes')
      .addColumn('code_hash', 'text', (column) => column.primaryKey())
      .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema
      .createIndex('mfa_recovery_codes_user')
      .on('mfa_recovery_codes')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('mfa_webauthn_credentials')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('public_key', 'text', (column) => column.notNull())
      .addColumn('counter', 'bigint', (column) => column.notNull())
      .addColumn('transports', 'text', (column) => column.notNull())
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('last_used_at', 'text')
      .execute();
    await db.schema
      .createIndex('mfa_webauthn_credentials_user')
      .on('mfa_webauthn_credentials')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('mfa_tokens')
      .addColumn('token_hash', 'text', (column) => column.primaryKey())
      .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
      .addColumn('client_hash', 'text', (column) => column.notNull())
      .addColumn('session_kind', 'text', (column) => column.notNull())
      .addColumn('first_factor', 'text', (column) => column.notNull())
      .addColumn('webauthn_challenge', 'text')
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('expires_at', 'text', (column) => column.notNull())
      .addColumn('used_at', 'text')
      .execute();
    await db.schema
      .createTable('webauthn_registrations')
      .addColumn('user_id', 'text', (column) =>
        column.primaryKey().references('users.id').onDelete('cascade'),
      )
      .addColumn('challenge', 'text', (column) => column.notNull())
      .addColumn('expires_at', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('oidc_logins')
      .addColumn('state_hash', 'text', (column) => column.primaryKey())
      .addColumn('nonce', 'text', (column) => column.notNull().unique())
      .addColumn('code_verifier', 'text', (column) => column.notNull())
      .addColumn('return_to', 'text')
      .addColumn('session_kind', 'text', (column) => column.notNull())
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('expires_at', 'text', (column) => column.notNull())
      .addColumn('claimed_at', 'text')
      .addColumn('user_id', 'text', (column) => column.references('users.id').onDelete('cascade'))
      .addColumn('amr', 'text')
      .addColumn('ticket_hash', 'text', (column) => column.unique())
      .addColumn('ticket_used_at', 'text')
      .execute();
    await db.schema
      .createTable('oidc_claimed_nonces')
      .addColumn('nonce_hash', 'text', (column) => column.primaryKey())
      .addColumn('claimed_at', 'text', (column) => column.notNull())
      .execute();
    await db.schema.alterTable('sessions').addColumn('auth_at', 'text').execute();
    await db.schema
      .alterTable('sessions')
      .addColumn('enrol_only', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('sessions').addColumn('amr', 'text').execute();
  },
};

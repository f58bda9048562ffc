/**
 * Single sign-on for native clients (docs/IDENTITY.md §Single sign-on): the console's own
 * PKCE challenge and state for the loopback hop (RFC 8252), when its one-time ticket
 * expires, and the link from a provider's account (issuer + subject) to ours.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0045OidcLoopback: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('oidc_logins').addColumn('client_challenge', 'text').execute();
    await db.schema.alterTable('oidc_logins').addColumn('client_state', 'text').execute();
    await db.schema.alterTable('oidc_logins').addColumn('ticket_expires_at', 'text').execute();
    await db.schema
      .createTable('oidc_identities')
      .addColumn('issuer', 'text', (column) => column.notNull())
      .addColumn('subject', 'text', (column) => column.notNull())
      .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('last_login_at', 'text')
      .addPrimaryKeyConstraint('oidc_identities_pk', ['issuer', 'subject'])
      .execute();
    await db.schema.createIndex('oidc_identities_user').on('oidc_identities').column('user_id').execute();
  },
};

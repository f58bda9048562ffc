/**
 * Which of our accounts a verified provider identity signs in as (docs/IDENTITY.md
 * §Single sign-on): the account linked to its issuer and subject; else, the first time,
 * an account with the same e-mail when the provider vouches for it (`email_verified`);
 * else a new account with the role FACTORY_OIDC_ROLE_MAP gives its role claim. With a
 * mapping configured, the role follows the provider at every sign-in (a person moved out
 * of every mapped group is refused); the break-glass super_admin is never changed by it.
 * Runs on the transaction that also writes the audit entries.
 */
import { randomBytes } from 'node:crypto';
import { AuditEventType, type AuditEventInput } from '../../../shared/common/audit-event.ts';
import { emailSchema } from '../../../shared/common/api/auth.ts';
import type { Role } from '../../../shared/common/roles.ts';
import type { Db } from '../../db/database.ts';
import type { UsersTable } from '../../db/schema.ts';
import type { UsersService } from '../../users/users.service.ts';
import type { OidcConfig } from '../identity.config.ts';
import { withIdentityTables } from '../mfa/mfa.tables.ts';
import type { OidcIdentity } from './oidc-provider.client.ts';

export type AccountOutcome =
  | { ok: true; user: UsersTable }
  | { ok: false; reason: 'no_email' | 'email_unverified' | 'no_role' | 'account_disabled' };

/** The first mapped role among the claim's values, in the order of FACTORY_OIDC_ROLE_MAP. */
export function mappedRole(config: OidcConfig, values: readonly string[]): Role | undefined {
  return config.roleMap.find((entry) => values.includes(entry.value))?.role;
}

export async function resolveAccount(
  trx: Db,
  users: UsersService,
  config: OidcConfig,
  identity: OidcIdentity,
  append: (event: AuditEventInput) => void,
  context: { ip: string; requestId: string },
  /**
   * Hash of a random, never shown password for a new account (it has no usable password);
   * made before the transaction when a new account is expected, else here if one is needed.
   */
  unusablePasswordHash: string | undefined,
): Promise<AccountOutcome> {
  const db = withIdentityTables(trx);
  const now = new Date().toISOString();
  const role = mappedRole(config, identity.roleValues);
  const mapping = config.roleMap.length > 0;
  const link = await db
    .selectFrom('oidc_identities')
    .select('user_id')
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
  let user: UsersTable | undefined = link
    ? await trx.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirst()
    : undefined;
  const actor = user?.email ?? identity.email ?? `oidc:${identity.subject}`;

  if (!user) {
    const email = emailSchema.safeParse(identity.email ?? '');
    if (!email.success) return { ok: false, reason: 'no_email' };
    const existing = await trx
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.data)
      .executeTakeFirst();
    if (existing) {
      // Taking over an existing account needs the provider's word that the address is theirs.
      if (!identity.emailVerified) return { ok: false, reason: 'email_unverified' };
      user = existing;
    } else {
      if (role === undefined) return { ok: false, reason: 'no_role' };
      const passwordHash = unusablePasswordHash ?? (await users.hash(unusablePassword()));
      user = await users.create({ email: email.data, passwordHash, role });
      append({
        type: AuditEventType.UserCreate,
        actor: `oidc:${identity.issuer}`,
        resource: `user/${user.id}`,
        ip: context.ip,
        request_id: context.requestId,
        details: { email: user.email, role, via: 'sso' },
      });
    }
    await db
      .insertInto('oidc_identities')
      .values({
        issuer: identity.issuer,
        subject: identity.subject,
        user_id: user.id,
        created_at: now,
        last_login_at: null,
      })
      .execute();
  }
  if (user.disabled === 1) return { ok: false, reason: 'account_disabled' };
  if (mapping && user.role !== 'super_admin') {
    if (role === undefined) return { ok: false, reason: 'no_role' };
    if (role !== user.role) {
      const from = user.role;
      user = await users.update(user.id, { role });
      append({
        type: AuditEventType.RoleChange,
        actor: `oidc:${identity.issuer}`,
        resource: `user/${user.id}`,
        ip: context.ip,
        request_id: context.requestId,
        details: { email: actor, from_role: from, to_role: role, via: 'sso' },
      });
    }
  }
  await db
    .updateTable('oidc_identities')
    .set({ last_login_at: now })
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .execute();
  return { ok: true, user };
}

/** Whether `identity` would need a new account (nothing linked, no account with its e-mail). */
export async function needsNewAccount(db: Db, identity: OidcIdentity): Promise<boolean> {
  const link = await withIdentityTables(db)
    .selectFrom('oidc_identities')
    .select('user_id')
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
  if (link) return false;
  const email = emailSchema.safeParse(identity.email ?? '');
  if (!email.success) return false;
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email.data)
    .executeTakeFirst();
  return existing === undefined;
}

/** A password nobody knows, hashed like any other (so a password sign-in costs the same time and fails). */
export function unusablePassword(): string {
  return randomBytes(32).toString('base64url');
}

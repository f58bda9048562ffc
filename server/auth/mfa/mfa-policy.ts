/**
 * The production guard's identity check: with `FACTORY_PROD=1`, an administrator
 * without a second factor is refused unless the MFA policy already forces one on the
 * next sign-in (FACTORY_MFA_REQUIRED_ROLES names the role).
 */
import type { FastifyInstance } from 'fastify';
import { Role } from '../../../shared/common/roles.ts';
import { toRole } from '../../users/users.service.ts';

const ADMIN_ROLES: readonly Role[] = [Role.Admin, Role.SuperAdmin];

export async function mfaRefusals(app: FastifyInstance): Promise<string[]> {
  const required = app.config.identity.mfaRequiredRoles;
  const unguarded = ADMIN_ROLES.filter((role) => !required.includes(role));
  if (unguarded.length === 0) return [];
  const admins = (
    await app.db.selectFrom('users').select(['id', 'email', 'role']).where('disabled', '=', 0).execute()
  ).filter((row) => unguarded.includes(toRole(row.role)));
  const withFactor = await app.identity.mfa.usersWithFactor(admins.map((row) => row.id));
  return admins
    .filter((row) => !withFactor.has(row.id))
    .map(
      (row) =>
        `${row.email} (${row.role}) has no second factor and FACTORY_MFA_REQUIRED_ROLES does not require one: enrol a factor or add ${row.role} to FACTORY_MFA_REQUIRED_ROLES`,
    );
}

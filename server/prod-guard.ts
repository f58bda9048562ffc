/**
 * The production guard (docs/SERVER.md, Modes): with `FACTORY_PROD=1`
 * the server refuses to start while anything a production deployment must not have is
 * present. Each reason is one line naming what to change.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.ts';
import { KNOWN_WEAK_PASSWORDS } from './auth/password.ts';
import { readBootstrapPassword } from './auth/bootstrap.ts';
import { isPrivilegedRole } from '../shared/common/roles.ts';
import { toRole } from './users/users.service.ts';
import { mfaRefusals } from './auth/mfa/mfa-policy.ts';

export class ProdGuardError extends Error {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super(`FACTORY_PROD=1 refuses to start:\n${reasons.map((reason) => `  - ${reason}`).join('\n')}`);
    this.name = 'ProdGuardError';
    this.reasons = reasons;
  }
}

/** Reasons that need only the configuration (checked before anything is created). */
export function configRefusals(config: ServerConfig): string[] {
  if (!config.prod) return [];
  const reasons: string[] = [];
  if (config.debug) reasons.push('FACTORY_DEBUG is on: unset it in production');
  if (config.demoReadOnly)
    reasons.push('FACTORY_DEMO_READONLY is on: demo and production are mutually exclusive');
  if (config.tls === 'off')
    reasons.push('FACTORY_TLS=off: use on, or proxy behind a TLS-terminating reverse proxy');
  if (config.tls === 'proxy' && config.trustedProxies.length === 0) {
    reasons.push('FACTORY_TLS=proxy needs FACTORY_TRUSTED_PROXIES (the proxy addresses)');
  }
  if (config.corsOrigins.includes('*')) reasons.push('FACTORY_CORS_ORIGINS is *: list exact origins');
  if (config.devBootstrapPassword !== undefined)
    reasons.push('FACTORY_DEV_BOOTSTRAP_PASSWORD is set: development only');
  return reasons;
}

/** Reasons found in the database: bootstrap or known-weak passwords still verifying. */
export async function accountRefusals(app: FastifyInstance): Promise<string[]> {
  const reasons: string[] = [];
  const rows = await app.db.selectFrom('users').selectAll().where('disabled', '=', 0).execute();
  const bootstrapPassword = await readBootstrapPassword(app.config.dataDir);
  for (const row of rows) {
    if (row.bootstrap_password === 1) {
      reasons.push(`${row.email} still uses the bootstrap password: sign in and change it`);
      continue;
    }
    if (bootstrapPassword !== undefined && (await app.services.users.verify(row, bootstrapPassword))) {
      reasons.push(`${row.email} still uses the bootstrap password: sign in and change it`);
      continue;
    }
    // Weak-password checks cost one scrypt each: privileged accounts only.
    if (!isPrivilegedRole(toRole(row.role))) continue;
    const checks = await Promise.all(
      KNOWN_WEAK_PASSWORDS.map((weak) => app.services.users.verify(row, weak)),
    );
    if (checks.some(Boolean)) reasons.push(`${row.email} has a known weak password: change it`);
  }
  reasons.push(...(await mfaRefusals(app)));
  return reasons;
}

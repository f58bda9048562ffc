/**
 * Identity settings from `FACTORY_MFA_*`, `FACTORY_WEBAUTHN_*` and `FACTORY_OIDC_*`
 * (docs/IDENTITY.md). Invalid values refuse to start, naming the variable.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../../shared/common/roles.ts';
import { ConfigError, parseEnv } from '../config-env.ts';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only). Secret: never logged. */
  clientSecret: string | undefined;
  /** Where the provider sends the browser back: this server's `/api/v1/auth/oidc/callback`. */
  redirectUrl: string;
  /** The ID-token claim holding the account's groups or roles (a string or an array). */
  roleClaim: string;
  /** Claim value → role, first match in this order wins. */
  roleMap: Array<{ value: string; role: Role }>;
  /** Password sign-in only for the break-glass super_admin. */
  only: boolean;
  /** Least time between two fetches of the provider's keys (default 5 s; not a variable, tests set 0). */
  jwksRefreshCooldownMs?: number;
}

export interface IdentityConfig {
  /** Roles that must have a second factor; such accounts without one may only enrol. */
  mfaRequiredRoles: Role[];
  /** Passkeys need both (a relying-party id is a host name, never an IP address). */
  webauthn: { rpId: string; origins: string[] } | undefined;
  oidc: OidcConfig | undefined;
}

const text = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const schema = z.object({
  FACTORY_MFA_REQUIRED_ROLES: z.string().default('admin,super_admin'),
  FACTORY_WEBAUTHN_RP_ID: text,
  FACTORY_WEBAUTHN_ORIGIN: text,
  FACTORY_OIDC_ISSUER: text,
  FACTORY_OIDC_CLIENT_ID: text,
  FACTORY_OIDC_CLIENT_SECRET: text,
  FACTORY_OIDC_REDIRECT_URL: text,
  FACTORY_OIDC_ROLE_CLAIM: text,
  FACTORY_OIDC_ROLE_MAP: text,
  FACTORY_OIDC_ONLY: z.string().optional(),
});

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
const httpUrl = (value: string) => /^https?:\/\/[^\s/]+/i.test(value);

function roles(variable: string, value: string): Role[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  for (const item of items) {
    if (!isRole(item))
      throw new ConfigError(variable, `unknown role ${item}: expected one of ${ROLES.join(', ')}`);
  }
  return items as Role[];
}

function roleMap(value: string): OidcConfig['roleMap'] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => {
      const at = item.lastIndexOf(':');
      const claimValue = item.slice(0, at).trim();
      const role = item.slice(at + 1).trim();
      if (at <= 0 || !isRole(role)) {
        throw new ConfigError(
          'FACTORY_OIDC_ROLE_MAP',
          `expected value:role pairs like factory-admins:admin (roles: ${ROLES.join(', ')}), got ${item}`,
        );
      }
      return { value: claimValue, role };
    });
}

export function loadIdentityConfig(env: Record<string, string | undefined>): IdentityConfig {
  const value = parseEnv(schema, env);
  const only = ['1', 'true', 'yes', 'on'].includes((value.FACTORY_OIDC_ONLY ?? '').trim().toLowerCase());
  let webauthn: IdentityConfig['webauthn'];
  if ((value.FACTORY_WEBAUTHN_RP_ID === undefined) !== (value.FACTORY_WEBAUTHN_ORIGIN === undefined)) {
    throw new ConfigError(
      value.FACTORY_WEBAUTHN_RP_ID === undefined ? 'FACTORY_WEBAUTHN_RP_ID' : 'FACTORY_WEBAUTHN_ORIGIN',
      'set both FACTORY_WEBAUTHN_RP_ID and FACTORY_WEBAUTHN_ORIGIN, or neither (passkeys off)',
    );
  }
  if (value.FACTORY_WEBAUTHN_RP_ID !== undefined && value.FACTORY_WEBAUTHN_ORIGIN !== undefined) {
    const origins = value.FACTORY_WEBAUTHN_ORIGIN.split(',').map((item) => item.trim().replace(/\/$/, ''));
    if (!origins.every(httpUrl)) {
      throw new ConfigError('FACTORY_WEBAUTHN_ORIGIN', 'expected origins like https://console.example.com');
    }
    if (/^[\d.]+$|:/.test(value.FACTORY_WEBAUTHN_RP_ID)) {
      throw new ConfigError('FACTORY_WEBAUTHN_RP_ID', 'expected a host name (not an IP address or a URL)');
    }
    webauthn = { rpId: value.FACTORY_WEBAUTHN_RP_ID.toLowerCase(), origins };
  }
  let oidc: OidcConfig | undefined;
  if (value.FACTORY_OIDC_ISSUER !== undefined) {
    if (!httpUrl(value.FACTORY_OIDC_ISSUER)) {
      throw new ConfigError(
        'FACTORY_OIDC_ISSUER',
        'expected the provider URL, e.g. https://idp.example.com/realms/factory',
      );
    }
    if (value.FACTORY_OIDC_CLIENT_ID === undefined) {
      throw new ConfigError('FACTORY_OIDC_CLIENT_ID', 'required with FACTORY_OIDC_ISSUER');
    }
    if (value.FACTORY_OIDC_REDIRECT_URL === undefined || !httpUrl(value.FACTORY_OIDC_REDIRECT_URL)) {
      throw new ConfigError(
        'FACTORY_OIDC_REDIRECT_URL',
        'required with FACTORY_OIDC_ISSUER: https://<this server>/api/v1/auth/oidc/callback',
      );
    }
    oidc = {
      issuer: value.FACTORY_OIDC_ISSUER,
      clientId: value.FACTORY_OIDC_CLIENT_ID,
      clientSecret: value.FACTORY_OIDC_CLIENT_SECRET,
      redirectUrl: value.FACTORY_OIDC_REDIRECT_URL,
      roleClaim: value.FACTORY_OIDC_ROLE_CLAIM ?? 'groups',
      roleMap: roleMap(value.FACTORY_OIDC_ROLE_MAP ?? ''),
      only,
    };
  } else if (only) {
    throw new ConfigError(
      'FACTORY_OIDC_ONLY',
      'needs FACTORY_OIDC_ISSUER (and the other FACTORY_OIDC_* settings)',
    );
  }
  return {
    mfaRequiredRoles: roles('FACTORY_MFA_REQUIRED_ROLES', value.FACTORY_MFA_REQUIRED_ROLES),
    webauthn,
    oidc,
  };
}

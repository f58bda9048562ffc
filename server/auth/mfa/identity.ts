/**
 * The identity services of one app (second factors, passkeys, single sign-on), built
 * once and reached as `app.identity`.
 */
import type { Db } from '../../db/database.ts';
import type { IdentityConfig } from '../identity.config.ts';
import { MfaService } from './mfa.service.ts';
import { MfaTokenService } from './mfa-tokens.ts';
import { WebauthnService } from './webauthn.service.ts';
import { OidcProviderClient } from '../oidc/oidc-provider.client.ts';

export interface Identity {
  mfa: MfaService;
  mfaTokens: MfaTokenService;
  /** Undefined unless FACTORY_WEBAUTHN_RP_ID and FACTORY_WEBAUTHN_ORIGIN are set. */
  webauthn: WebauthnService | undefined;
  /** Undefined unless FACTORY_OIDC_ISSUER is set; caches discovery and the provider's keys. */
  oidc: OidcProviderClient | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    identity: Identity;
  }
}

export function createIdentity(db: Db, masterKey: Uint8Array, config: IdentityConfig): Identity {
  return {
    mfa: new MfaService(db, masterKey),
    mfaTokens: new MfaTokenService(db),
    webauthn: config.webauthn ? new WebauthnService(db, config.webauthn) : undefined,
    oidc: config.oidc ? new OidcProviderClient(config.oidc) : undefined,
  };
}

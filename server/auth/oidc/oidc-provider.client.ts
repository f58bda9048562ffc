/**
 * The Factory API as an OpenID Connect relying party (`openid-client`): discovery, the
 * authorization request (code flow, PKCE S256, `state`, `nonce`) and the code exchange.
 * openid-client checks the authorization response (`state`, RFC 9207 `iss`) and the ID
 * token's claims (`iss`, `aud`, `azp`, `exp`, `iat`, `nonce`); the ID token's signature
 * is checked here against the provider's keys (oidc-keys.ts), because openid-client
 * leaves it to TLS for a token from the token endpoint and we want both.
 */
import * as client from 'openid-client';
import type { JWK } from 'jose';
import type { OidcConfig } from '../identity.config.ts';
import { OidcKeySet } from './oidc-keys.ts';

/** What a verified ID token says about the person. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  /** The values of the role claim (FACTORY_OIDC_ROLE_CLAIM), a string or an array in the token. */
  roleValues: string[];
  /** The provider's `amr`, when it sends one. */
  amr: string[];
  nonce: string;
}

/** A refusal of the provider's answer; `check` names what failed (audit detail, never a token). */
export class OidcRefusal extends Error {
  readonly check: string;
  constructor(check: string, message: string) {
    super(message);
    this.name = 'OidcRefusal';
    this.check = check;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The claim at `path` (`groups`, or a nested one such as Keycloak's `realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  return path.split('.').reduce<unknown>((value, part) => {
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }, claims);
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Which check an openid-client error is about (its own message, or its cause's), for the audit entry. */
function checkOf(error: unknown): string {
  const messages: string[] = [];
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 4; at = at.cause, depth += 1) {
    messages.push(at.message);
  }
  const message = messages.join(' | ');
  const claim = /"(aud|nonce|exp|iat|iss|azp|auth_time|sub)"/.exec(message)?.[1];
  if (claim) return claim;
  if (/state/i.test(message)) return 'state';
  if (error instanceof client.ResponseBodyError || /token endpoint|invalid_grant/i.test(message))
    return 'code_exchange';
  return 'id_token';
}

export class OidcProviderClient {
  readonly #config: OidcConfig;
  #discovered: Promise<{ configuration: client.Configuration; keys: OidcKeySet }> | null = null;

  constructor(config: OidcConfig) {
    this.#config = config;
  }

  /** Discovery, once; a failure is forgotten so the next sign-in tries again. */
  #provider(): Promise<{ configuration: client.Configuration; keys: OidcKeySet }> {
    this.#discovered ??= this.#discover().catch((error: unknown) => {
      this.#discovered = null;
      throw error;
    });
    return this.#discovered;
  }

  async #discover(): Promise<{ configuration: client.Configuration; keys: OidcKeySet }> {
    const issuer = new URL(this.#config.issuer);
    // Plain HTTP only to a provider on this machine (tests, a local development provider).
    const insecure = issuer.protocol === 'http:';
    if (insecure && !LOOPBACK.has(issuer.hostname)) {
      throw new Error('FACTORY_OIDC_ISSUER must be https unless the provider runs on this machine');
    }
    const secret = this.#config.clientSecret;
    const configuration = await client.discovery(
      issuer,
      this.#config.clientId,
      secret,
      secret === undefined ? client.None() : client.ClientSecretBasic(secret),
      { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 10 },
    );
    const metadata = configuration.serverMetadata();
    const jwksUri = metadata.jwks_uri;
    if (jwksUri === undefined) throw new Error('the provider publishes no jwks_uri');
    const keys = new OidcKeySet({
      algorithms: metadata.id_token_signing_alg_values_supported,
      refreshCooldownMs: this.#config.jwksRefreshCooldownMs,
      fetchKeys: async () => {
        const response = await fetch(jwksUri, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) throw new Error(`the provider's key set answered ${response.status}`);
        return (await response.json()) as { keys: JWK[] };
      },
    });
    return { configuration, keys };
  }

  /** Where to send the browser: the provider's authorization endpoint with our request. */
  async authorizationUrl(input: { state: string; nonce: string; codeVerifier: string }): Promise<string> {
    const { configuration } = await this.#provider();
    const supported = configuration.serverMetadata().scopes_supported ?? [];
    const scopes = ['openid', 'email', 'profile'];
    // Okta-style providers send the groups claim only when the scope asks for it.
    if (this.#config.roleClaim === 'groups' && supported.includes('groups')) scopes.push('groups');
    return client
      .buildAuthorizationUrl(configuration, {
        redirect_uri: this.#config.redirectUrl,
        scope: scopes.join(' '),
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(input.codeVerifier),
        code_challenge_method: 'S256',
        state: input.state,
        nonce: input.nonce,
      })
      .toString();
  }

  /**
   * Redeems the provider's code (with our PKCE verifier) and verifies the ID token:
   * claims by openid-client, the signature by the provider's keys. Throws {@link OidcRefusal}.
   */
  async complete(
    query: string,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<OidcIdentity> {
    const { configuration, keys } = await this.#provider();
    const currentUrl = new URL(this.#config.redirectUrl);
    currentUrl.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new OidcRefusal(checkOf(error), error instanceof Error ? error.message : 'code exchange failed');
    }
    const idToken = tokens.id_token;
    const claims = tokens.claims();
    if (idToken === undefined || claims === undefined) throw new OidcRefusal('id_token', 'no ID token');
    try {
      await keys.verify(idToken);
    } catch (error) {
      throw new OidcRefusal('signature', error instanceof Error ? error.message : 'signature refused');
    }
    const record = claims as Record<string, unknown>;
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof record['email'] === 'string' ? record['email'].trim().toLowerCase() : undefined,
      emailVerified: record['email_verified'] === true,
      roleValues: strings(claimAt(record, this.#config.roleClaim)),
      amr: strings(record['amr']),
      nonce: String(claims.nonce),
    };
  }
}

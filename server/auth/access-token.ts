/**
 * Access tokens: JWTs (RFC 9068 profile) signed with HS256 under a 256-bit key kept
 * in `data/secrets/jwt_hs256.key`.
 *
 * Why HS256 and not EdDSA: only this server issues and checks access tokens, so a
 * public key buys nothing, and HMAC verification is ~20× cheaper per request. The
 * algorithm is pinned — the token's `alg` never chooses — so `none`, an EdDSA token,
 * or an HS256 token MACed with some public key are all refused.
 *
 * Required: `typ` = `at+jwt`, `iss`, `aud`, `exp` (15 minutes), `iat`, `sub`, `sid`
 * (the session, so logout revokes the token), `jti`.
 */
import { randomUUID, webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { SignJWT } from 'jose';
import { JwsError, verifyCompactJws } from './jws-verifier.ts';

export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const ACCESS_TOKEN_ISSUER = 'factory-api';
export const ACCESS_TOKEN_AUDIENCE = 'factory-console';
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_ALGORITHM = 'HS256';
/** Tolerated clock difference between instances, in seconds. */
const CLOCK_SKEW_S = 5;

export interface AccessClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  jti: string;
}

/** Issues and verifies access tokens with one key. */
export class AccessTokenService {
  readonly #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** Imports the raw key once (a non-extractable CryptoKey), so no request re-imports it. */
  static async create(rawKey: Uint8Array): Promise<AccessTokenService> {
    if (rawKey.length < 32) throw new RangeError('the JWT key must be at least 256 bits');
    const key = await webcrypto.subtle.importKey('raw', rawKey, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    return new AccessTokenService(key);
  }

  async issue(subject: { userId: string; sessionId: string }, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ sid: subject.sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(subject.userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_S)
      .setJti(randomUUID())
      .sign(this.#key);
  }

  /** Verifies signature and claims; throws {@link JwsError} on any defect. */
  async verify(token: string, now = Date.now()): Promise<AccessClaims> {
    const { header, payload } = await verifyCompactJws(token, { imported: this.#key }, ACCESS_TOKEN_ALGORITHM);
    if (header.typ !== ACCESS_TOKEN_TYPE) throw new JwsError('wrong token type');
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Record<string, unknown>;
    } catch {
      throw new JwsError('claims are not JSON');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new JwsError('claims are not an object');
    const seconds = now / 1000;
    const { iss, aud, sub, sid, iat, exp, nbf, jti } = claims;
    if (iss !== ACCESS_TOKEN_ISSUER) throw new JwsError('wrong issuer');
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(ACCESS_TOKEN_AUDIENCE)) throw new JwsError('wrong audience');
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new JwsError('exp missing');
    if (exp <= seconds - CLOCK_SKEW_S) throw new JwsError('token expired');
    if (typeof iat !== 'number' || iat > seconds + CLOCK_SKEW_S) throw new JwsError('iat missing or in the future');
    if (exp - iat > ACCESS_TOKEN_TTL_S) throw new JwsError('lifetime longer than allowed');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > seconds + CLOCK_SKEW_S)) throw new JwsError('not yet valid');
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') {
      throw new JwsError('sub, sid or jti missing');
    }
    return { sub, sid, iat, exp, jti };
  }
}

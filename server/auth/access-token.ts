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
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { JwsError, verifyHmacJws } from './jws-verifier.ts';

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
/** Verified tokens remembered (until their `exp`) so a client's repeated requests skip re-parsing. */
const VERIFIED_CACHE_MAX = 10_000;

export class AccessTokenService {
  readonly #key: KeyObject;
  readonly #verified = new Map<string, AccessClaims>();

  private constructor(key: KeyObject) {
    this.#key = key;
  }

  /** Wraps the raw key once in a KeyObject, so no request re-imports it. Key material: never logged. */
  static create(rawKey: Uint8Array): Promise<AccessTokenService> {
    if (rawKey.length < 32) throw new RangeError('the JWT key must be at least 256 bits');
    return Promise.resolve(new AccessTokenService(createSecretKey(rawKey)));
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

  /**
   * Verifies signature and claims; throws {@link JwsError} on any defect. A token that
   * verified before is looked up by its exact text and only its expiry re-checked
   * (revocation is the session check's job, done on every request by the caller).
   * Synchronous: nothing here waits, and the gate runs it on every request.
   */
  verify(token: string, now = Date.now()): AccessClaims {
    const known = this.#verified.get(token);
    if (known) {
      if (known.exp > now / 1000 - CLOCK_SKEW_S) return known;
      this.#verified.delete(token);
    }
    const claims = this.#verifyFully(token, now);
    if (this.#verified.size >= VERIFIED_CACHE_MAX) this.#verified.clear();
    this.#verified.set(token, claims);
    return claims;
  }

  #verifyFully(token: string, now: number): AccessClaims {
    const { header, payload } = verifyHmacJws(token, this.#key, ACCESS_TOKEN_ALGORITHM);
    if (header.typ !== ACCESS_TOKEN_TYPE) throw new JwsError('wrong token type');
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Record<
        string,
        unknown
      >;
    } catch {
      throw new JwsError('claims are not JSON');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw new JwsError('claims are not an object');
    const seconds = now / 1000;
    const { iss, aud, sub, sid, iat, exp, nbf, jti } = claims;
    if (iss !== ACCESS_TOKEN_ISSUER) throw new JwsError('wrong issuer');
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(ACCESS_TOKEN_AUDIENCE)) throw new JwsError('wrong audience');
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new JwsError('exp missing');
    if (exp <= seconds - CLOCK_SKEW_S) throw new JwsError('token expired');
    if (typeof iat !== 'number' || iat > seconds + CLOCK_SKEW_S)
      throw new JwsError('iat missing or in the future');
    if (exp - iat > ACCESS_TOKEN_TTL_S) throw new JwsError('lifetime longer than allowed');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > seconds + CLOCK_SKEW_S))
      throw new JwsError('not yet valid');
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') {
      throw new JwsError('sub, sid or jti missing');
    }
    return { sub, sid, iat, exp, jti };
  }
}

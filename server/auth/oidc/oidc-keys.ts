/**
 * The identity provider's signing keys (its `jwks_uri`), cached, and fetched again when an
 * ID token names a `kid` the cache does not hold — how a provider's key rotation reaches
 * us without a restart. A refetch waits at least the cool-down after the previous one,
 * so a run of tokens with unknown keys cannot turn into a run of requests to the provider.
 *
 * The signature itself is checked by jws-verifier.ts (algorithm pinned to an asymmetric
 * one the provider announces, key type, size and curve checked, `kid` selects the key).
 */
import type { JWK } from 'jose';
import { JwsError, decodeBase64urlStrict, verifyCompactJws, type JwsAlgorithm } from '../jws-verifier.ts';

/** Asymmetric algorithms only: an ID token signed with the client secret (HS*) or `none` is refused. */
const ASYMMETRIC: readonly JwsAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** How long a fetched key set is used before it is fetched again anyway. */
const MAX_AGE_MS = 10 * 60 * 1000;

export interface OidcKeySetOptions {
  /** Fetches the provider's JWK set (its `jwks_uri`). */
  fetchKeys: () => Promise<{ keys: JWK[] }>;
  /** `id_token_signing_alg_values_supported` from discovery (default: RS256, OpenID Connect's default). */
  algorithms: readonly string[] | undefined;
  /** Least time between two fetches (default 5 s). */
  refreshCooldownMs?: number;
  now?: () => number;
}

export class OidcKeySet {
  readonly #options: OidcKeySetOptions;
  readonly #algorithms: JwsAlgorithm[];
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #keys: JWK[] | null = null;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #fetching: Promise<JWK[]> | null = null;

  constructor(options: OidcKeySetOptions) {
    this.#options = options;
    const announced = options.algorithms ?? ['RS256'];
    this.#algorithms = ASYMMETRIC.filter((alg) => announced.includes(alg));
    this.#cooldownMs = options.refreshCooldownMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  #fetch(): Promise<JWK[]> {
    this.#fetching ??= this.#options
      .fetchKeys()
      .then((set) => {
        if (!Array.isArray(set.keys)) throw new JwsError('the provider published no key set');
        this.#keys = set.keys;
        this.#fetchedAt = this.#now();
        return set.keys;
      })
      .finally(() => {
        this.#fetching = null;
      });
    return this.#fetching;
  }

  async #current(): Promise<JWK[]> {
    if (this.#keys === null || this.#now() - this.#fetchedAt > MAX_AGE_MS) return this.#fetch();
    return this.#keys;
  }

  /** Throws {@link JwsError} unless `token` is signed by one of the provider's keys. */
  async verify(token: string): Promise<void> {
    const header = headerOf(token);
    const alg = this.#algorithms.find((candidate) => candidate === header.alg);
    if (alg === undefined) throw new JwsError(`ID token algorithm ${String(header.alg)} is not accepted`);
    let key = pick(await this.#current(), alg, header.kid);
    if (key === undefined && this.#now() - this.#fetchedAt >= this.#cooldownMs) {
      key = pick(await this.#fetch(), alg, header.kid);
    }
    if (key === undefined) throw new JwsError('no provider key matches the ID token (kid)');
    // A JWK may leave `alg` out (RFC 7517 §4.4): then the pinned algorithm is the key's.
    await verifyCompactJws(token, { ...key, alg: key.alg ?? alg }, alg);
  }
}

function headerOf(token: string): { alg?: unknown; kid?: unknown } {
  const first = typeof token === 'string' ? token.split('.')[0] : undefined;
  if (first === undefined) throw new JwsError('not a compact JWS');
  try {
    return JSON.parse(decodeBase64urlStrict(first).toString('utf8')) as { alg?: unknown; kid?: unknown };
  } catch {
    throw new JwsError('ID token header is not JSON');
  }
}

function pick(keys: JWK[], alg: JwsAlgorithm, kid: unknown): JWK | undefined {
  const candidates = keys.filter(
    (key) =>
      (kid === undefined || key.kid === kid) &&
      (key.alg === undefined || key.alg === alg) &&
      key.use !== 'enc' &&
      key.d === undefined,
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

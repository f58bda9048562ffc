/**
 * Short-lived signed CDN URLs (docs/ARCHITECTURE.md §The unlock sequence): `/cdn/<object>?exp=<unix seconds>&sig=<hex>`,
 * `sig = HMAC-SHA-256(url key, "cdn/v1\n" ‖ object ‖ "\n" ‖ exp)`. The URL carries no
 * credential: it names one object until one time, and anyone holding it may fetch
 * that ciphertext, which is useless without the envelope.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hkdfSha256 } from '../../shared/node/crypto/kdf.ts';

/** How long a URL stays valid (10 minutes). */
export const CDN_URL_TTL_MS = 10 * 60 * 1000;

export class CdnUrlSigner {
  readonly #key: Buffer;
  readonly #now: () => number;

  /** `masterKey`: the server's master key; a sub-key is derived so the master key signs nothing itself. */
  constructor(masterKey: Uint8Array, now: () => number = Date.now) {
    this.#key = hkdfSha256(masterKey, Buffer.alloc(0), 'FactoryConsole/cdn-url/v1', 32);
    this.#now = now;
  }

  #mac(object: string, expires: number): Buffer {
    return createHmac('sha256', this.#key).update(`cdn/v1\n${object}\n${expires}`).digest();
  }

  /** A URL path for `object`, valid for `ttlMs`. */
  sign(object: string, ttlMs: number = CDN_URL_TTL_MS): { url: string; expiresAt: Date } {
    const expires = Math.floor((this.#now() + ttlMs) / 1000);
    const sig = this.#mac(object, expires).toString('hex');
    return { url: `/cdn/${object}?exp=${expires}&sig=${sig}`, expiresAt: new Date(expires * 1000) };
  }

  /** 'ok', 'expired' or 'invalid' for the object and query of a request. */
  verify(object: string, exp: unknown, sig: unknown): 'ok' | 'expired' | 'invalid' {
    if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp)) return 'invalid';
    if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
    const expected = this.#mac(object, Number(exp));
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return 'invalid';
    return Number(exp) * 1000 < this.#now() ? 'expired' : 'ok';
  }
}

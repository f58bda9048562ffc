/**
 * The checks every browser-mode request passes (trust boundary: anything on this
 * machine, including any web page the user visits, can send requests to a loopback
 * port). Host must be our exact loopback host (defeats DNS rebinding: a rebound
 * `evil.example` still says `Host: evil.example`); Origin must be our exact origin
 * (defeats cross-site requests); the per-launch token must match (defeats other local
 * pages and processes that guess the port).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BrowserTransport } from '../../../../shared/common/contract/browser-transport.ts';

/** The header the page sends the token in (never a query string: those end up in logs). */
export const tokenHeader = BrowserTransport.tokenHeader;

/** 32 random bytes, base64url: the per-launch secret that goes in the URL fragment. */
export function newLaunchToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(provided: string | undefined, expected: string): boolean {
  if (typeof provided !== 'string' || provided.length === 0 || provided.length > 256) return false;
  const a = createHash('sha256').update(provided).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when the Host header is exactly our `127.0.0.1:port`. */
export function hostMatches(host: string | undefined, expectedHost: string): boolean {
  return typeof host === 'string' && host === expectedHost;
}

/** True when the Origin header is exactly our `http://127.0.0.1:port`. */
export function originMatches(origin: string | undefined, expectedOrigin: string): boolean {
  return typeof origin === 'string' && origin === expectedOrigin;
}

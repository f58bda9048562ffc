/**
 * Where the console may download a big part from (docs/SECURITY.md §Console, "Downloads
 * from an S3-compatible CDN"). The unlock answer names the URL: a `/cdn/…` path goes to the
 * Factory API's own origin over the pinned connection; an absolute URL (an S3 presigned
 * GET handed out by a server with `FACTORY_S3_BUCKET`) goes to that CDN over a separate
 * connection that:
 *   - is https, verified against the system's CAs and the URL's host name (the Factory
 *     API's pin is not used: it is not the CDN's certificate) — plain http only to a
 *     loopback host (a development bucket on this machine);
 *   - carries no credential of ours: no bearer token, cookie or API key, only `Range`;
 *     URLs with user:password are refused;
 *   - follows no redirect: a 3xx is an error, so neither the CDN nor anyone on the way
 *     can send the download elsewhere.
 * Whatever answers, its bytes are written only if they hash to the signed manifest.
 * The URL itself comes only from the pinned, authenticated API answer.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { ConsoleError } from '../platform/console-error.ts';
import type { RawRequest } from './pinned-transport.ts';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Checks an absolute CDN URL against the policy above; returns it parsed, or throws. */
export function foreignCdnUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConsoleError(
      ErrorCode.IntegrityFailed,
      'The Factory API sent a download URL that is not a URL: refused.',
    );
  }
  const refuse = (why: string) =>
    new ConsoleError(ErrorCode.IntegrityFailed, `The Factory API sent a download URL ${why}: refused.`);
  if (parsed.username !== '' || parsed.password !== '') throw refuse('with credentials in it');
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname))
    throw refuse(`over plain http to ${parsed.host} (only https, or http to this machine)`);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw refuse(`of scheme ${parsed.protocol}`);
  return parsed;
}

/** One keep-alive pool for a foreign CDN: verified TLS, no credentials, no redirects. */
export class CdnTransport {
  readonly #http = new http.Agent({ keepAlive: true });
  readonly #https = new https.Agent({ keepAlive: true });

  /** Sends one request (policy-checked URL); resolves with the response head. */
  request(url: string, init: RawRequest = {}): Promise<http.IncomingMessage> {
    const target = foreignCdnUrl(url);
    const secure = target.protocol === 'https:';
    const module = secure ? https : http;
    return new Promise((resolve, reject) => {
      const request = module.request(target, {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: secure ? this.#https : this.#http,
        signal: init.signal,
      });
      request.once('response', resolve);
      request.once('error', reject);
      request.end();
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

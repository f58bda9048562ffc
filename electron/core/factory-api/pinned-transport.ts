/**
 * HTTP(S) to the Factory API with its TLS certificate pinned by SHA-256 fingerprint
 * (docs/ARCHITECTURE.md §One way to the server). Hand-written over node:https because the pin must be
 * enforced inside the handshake, before a single request byte (a bearer token, a
 * password) is sent; fetch exposes no such hook without an extra dispatcher package.
 *
 * How the pin is enforced: the pinned certificate is the only extra trust anchor
 * (so a self-signed server verifies), and `checkServerIdentity` accepts exactly the
 * pinned fingerprint, whatever the chain or host name. Anything else fails the
 * handshake with a {@link FactoryApiError} `certificate_mismatch`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { isIP } from 'node:net';
import https from 'node:https';
import { Readable } from 'node:stream';
import tls, { type PeerCertificate } from 'node:tls';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { FactoryApiError } from './factory-api.error.ts';

/** The pinned identity of a Factory API: fingerprint `AB:CD:…` and the certificate (PEM). */
export interface CertificatePin {
  fingerprint256: string;
  pem: string;
}

/** Normalises `ab:cd…`, `ABCD…` or `sha256/AB:CD…` to the `AB:CD:…` form Node reports. */
export function normaliseFingerprint(text: string): string {
  const hex = text
    .replace(/^sha-?256[/:=]?/i, '')
    .replace(/[^0-9a-f]/gi, '')
    .toUpperCase();
  if (hex.length !== 64)
    throw new FactoryApiError(ErrorCode.ValidationFailed, 'A SHA-256 fingerprint has 64 hex digits.', {});
  return hex.match(/../g)!.join(':');
}

/**
 * Reads the certificate a server presents, without trusting it or sending anything
 * (trust on first use: the operator must confirm the fingerprint, or give it).
 */
export function probeCertificate(url: string, timeoutMs = 10_000): Promise<CertificatePin> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port || 443),
      servername: isIP(target.hostname.replace(/^\[|\]$/g, '')) === 0 ? target.hostname : undefined,
      rejectUnauthorized: false, // only to read the certificate: no byte of a request is sent on this socket
    });
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const certificate = socket.getPeerX509Certificate();
      socket.destroy();
      if (!certificate)
        return reject(
          new FactoryApiError(ErrorCode.CertificateMismatch, 'The server presented no certificate.', {}),
        );
      resolve({ fingerprint256: certificate.fingerprint256, pem: certificate.toString() });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new FactoryApiError(ErrorCode.Unavailable, `Cannot reach ${target.origin} (${error.message}).`, {}),
      );
    });
  });
}

export interface TransportOptions {
  /** Required for https: the pinned certificate. */
  pin?: CertificatePin;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** One pinned connection pool (keep-alive) for a Factory API origin. */
export class PinnedTransport {
  readonly #agent: http.Agent;
  readonly #https: boolean;
  readonly #expected: string | undefined;
  /**
   * What this pool was made from: another thread (the CDN download's) opens its own pool
   * to the same origin with the same pin, since neither an agent nor a socket crosses
   * threads. The pin is the server's certificate, public; no credential is in it.
   */
  readonly identity: { baseUrl: string; options: TransportOptions };

  constructor(baseUrl: string, options: TransportOptions = {}) {
    this.identity = { baseUrl, options: options.pin ? { pin: { ...options.pin } } : {} };
    this.#https = new URL(baseUrl).protocol === 'https:';
    if (this.#https) {
      const pin = options.pin;
      if (!pin)
        throw new FactoryApiError(
          ErrorCode.CertificateMismatch,
          'No certificate is pinned for this server: activate first.',
          {},
        );
      const expected = normaliseFingerprint(pin.fingerprint256);
      this.#expected = expected;
      this.#agent = new https.Agent({
        keepAlive: true,
        ca: [pin.pem, ...tls.rootCertificates],
        checkServerIdentity: (_host: string, certificate: PeerCertificate) =>
          certificate.fingerprint256 === expected
            ? undefined
            : new FactoryApiError(
                ErrorCode.CertificateMismatch,
                `The server's certificate (${certificate.fingerprint256}) is not the pinned one (${expected}). ` +
                  'If the server really changed its certificate, re-activate with --fingerprint.',
                {},
              ),
      });
    } else {
      this.#expected = undefined;
      this.#agent = new http.Agent({ keepAlive: true });
    }
  }

  /** Sends one request; resolves with the response head (the body streams). */
  request(url: string, init: RawRequest = {}): Promise<http.IncomingMessage> {
    const module = this.#https ? https : http;
    return new Promise((resolve, reject) => {
      const request = module.request(url, {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: this.#agent,
        signal: init.signal,
      });
      request.once('response', resolve);
      request.once('error', (error) => {
        // The pin check's own error arrives as is (or as the cause of a socket error).
        const pinned = error instanceof FactoryApiError ? error : (error as { cause?: unknown }).cause;
        if (pinned instanceof FactoryApiError) return reject(pinned);
        // A chain that does not lead to the pinned certificate fails before the pin check.
        const code = String((error as { code?: unknown }).code ?? '');
        if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
          return reject(
            new FactoryApiError(
              ErrorCode.CertificateMismatch,
              `The server's certificate is not the pinned one (${this.#expected ?? 'none'}; ${code}). ` +
                'Nothing was sent. If the server really changed its certificate, re-activate with --fingerprint.',
              {},
            ),
          );
        }
        reject(error);
      });
      request.end(init.body);
    });
  }

  /** A `fetch` for {@link FactoryApiClient} over this pinned pool. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    headers['x-request-id'] ??= randomUUID();
    const body = typeof init?.body === 'string' ? init.body : undefined;
    let response: http.IncomingMessage;
    try {
      response = await this.request(url, {
        method: init?.method ?? 'GET',
        headers,
        body,
        signal: init?.signal ?? undefined,
      });
    } catch (error) {
      if (error instanceof FactoryApiError) throw error;
      throw new TypeError('fetch failed', { cause: error });
    }
    const responseHeaders = new Headers();
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const status = response.statusCode ?? 500;
    const noBody = status === 204 || status === 304 || init?.method === 'HEAD';
    if (noBody) response.resume();
    return new Response(noBody ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
      status,
      headers: responseHeaders,
    });
  };

  close(): void {
    this.#agent.destroy();
  }
}

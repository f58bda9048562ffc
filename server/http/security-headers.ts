/**
 * Security headers on every response, 404/413/429/500 included (docs/SECURITY.md §Factory API):
 * the API serves JSON only, so its CSP forbids everything (`default-src 'none';
 * frame-ancestors 'none'`). HSTS only over TLS (a browser ignores it over plain HTTP,
 * and behind a proxy the proxy's TLS counts).
 *
 * The values come from `helmet` itself, computed once at start: with no per-request
 * input (no CSP nonces on a JSON API) they never change, and @fastify/helmet rebuilds
 * helmet's middleware — re-parsing the CSP — on every request, a measurable share of
 * the request budget (`npm run bench -- server`). Each reply gets them in one call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ErrorCode } from '../../shared/common/errors.ts';
import helmet, { type HelmetOptions } from 'helmet';

export const PERMISSIONS_POLICY = 'geolocation=(), camera=(), microphone=(), payment=(), usb=()';

function helmetOptions(hsts: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xXssProtection: false,
  };
}

/** The header set helmet produces for our configuration, plus Permissions-Policy and no-store. */
export function securityHeaderValues(options: { hsts: boolean }): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(helmetOptions(options.hsts))(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      failure = error;
    },
  );
  if (failure) throw failure;
  if (!headers['content-security-policy']) throw new Error('helmet produced no Content-Security-Policy');
  headers['permissions-policy'] = PERMISSIONS_POLICY;
  headers['cache-control'] = 'no-store';
  return Object.freeze(headers);
}

/**
 * Fastify's `clientErrorHandler`: an error of Node's HTTP parser (malformed request line
 * or header, headers too large) never reaches a hook, so its answer is written here,
 * with the same security headers and the standard `{error: {code, message, request_id}}` body.
 */
export function clientErrorAnswer(options: {
  hsts: boolean;
}): (error: Error & { code?: string }, socket: Socket) => void {
  const headers = securityHeaderValues(options);
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = tooLarge ? 431 : timeout ? 408 : 400;
    const reason = tooLarge ? 'Request Header Fields Too Large' : timeout ? 'Request Timeout' : 'Bad Request';
    const requestId = randomUUID();
    const body = JSON.stringify({
      error: {
        code: timeout ? ErrorCode.Timeout : ErrorCode.BadRequest,
        message: tooLarge
          ? 'request headers are larger than the limit'
          : timeout
            ? 'request timed out'
            : 'malformed request',
        request_id: requestId,
      },
    });
    const lines = [
      `HTTP/1.1 ${status} ${reason}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      `x-request-id: ${requestId}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  };
}

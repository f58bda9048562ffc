/**
 * Security headers on every response, 404/413/429/500 included (seed 001's table):
 * the API serves JSON only, so its CSP forbids everything (`default-src 'none';
 * frame-ancestors 'none'`). HSTS only over TLS (a browser ignores it over plain HTTP,
 * and behind a proxy the proxy's TLS counts).
 *
 * Built on `helmet` itself rather than through @fastify/helmet: the Fastify wrapper
 * rebuilds helmet's middleware (re-parsing the CSP) on every request, which cost a
 * measurable share of the request budget (`npm run bench -- server`); here it is built
 * once at start and applied in one onRequest hook.
 */
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

export const PERMISSIONS_POLICY = 'geolocation=(), camera=(), microphone=(), payment=(), usb=()';

export function securityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  const apply = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xXssProtection: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    apply(request.raw, reply.raw, (error?: unknown) => {
      if (error) {
        done(error as Error);
        return;
      }
      reply.header('permissions-policy', PERMISSIONS_POLICY);
      reply.header('cache-control', 'no-store');
      done();
    });
  });
}

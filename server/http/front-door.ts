/**
 * The first hook of every request, in this order: echo the request id, set the
 * security headers (so every answer has them, errors included), then check the Host.
 * One synchronous hook instead of three: each Fastify hook has a per-request cost.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../../shared/common/errors.ts';
import { sendError } from '../errors.ts';
import { securityHeaderValues } from './security-headers.ts';
import { hostAllowed } from './trusted-hosts.ts';

export function frontDoor(
  app: FastifyInstance,
  options: { hsts: boolean; trustedHosts: readonly string[] },
): void {
  const headers = securityHeaderValues({ hsts: options.hsts });
  const checkHost = options.trustedHosts.length > 0;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.headers(headers);
    if (checkHost && !hostAllowed(request.headers.host, options.trustedHosts)) {
      sendError(request, reply, ErrorCode.UntrustedHost, 'unknown Host header');
      return;
    }
    done();
  });
}

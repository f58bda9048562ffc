/**
 * Request ids: a sane client `X-Request-ID` is reused for end-to-end
 * tracing, anything else is replaced by a UUID; the id is echoed on every response and
 * is in every log line (Fastify's `reqId`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: reuse the client's id only if it is short and plain (no log injection). */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && SANE_ID.test(header) ? header : randomUUID();
}

/**
 * CORS from an allow-list: empty = same-origin only (no CORS headers, so
 * browsers block cross-origin reads); `*` only with debug (config refuses it otherwise).
 * Methods and headers are the ones the API uses, never a wildcard; credentials are
 * allowed only for listed origins, never with `*`. A request from an unlisted origin, or
 * from none (the CLI and the console core send no Origin), gets no `Access-Control-*`
 * header at all, only `Vary: Origin`, and its preflight is not answered: given an array,
 * @fastify/cors would still send it the credentials and exposed-headers grants (without
 * an allowed origin, which browsers ignore), on every response.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

export async function corsPolicy(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  const wildcard = origins.includes('*');
  const listed = new Set(origins);
  const listedOnly = (origin: string | undefined, answer: (error: null, allowed: string | false) => void) =>
    answer(null, origin !== undefined && listed.has(origin) ? origin : false);
  await app.register(cors, {
    origin: wildcard ? '*' : origins.length === 0 ? false : listedOnly,
    methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-ID', 'X-API-Key', 'X-CSRF-Token'],
    exposedHeaders: [
      'X-Request-ID',
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ],
    credentials: !wildcard && origins.length > 0,
    maxAge: 600,
  });
}

/**
 * CORS from an allow-list: empty = same-origin only (no CORS headers, so
 * browsers block cross-origin reads); `*` only with debug (config refuses it otherwise).
 * Methods and headers are the ones the API uses, never a wildcard; credentials are
 * allowed only for listed origins, never with `*`.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

export async function corsPolicy(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  const wildcard = origins.includes('*');
  await app.register(cors, {
    origin: wildcard ? '*' : origins.length === 0 ? false : [...origins],
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

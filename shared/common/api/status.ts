/** HTTP contract of `GET /api/v1/status`: the server's mode and security posture. */
import { z } from 'zod';
import { text } from '../text.ts';

export const ServerMode = { Demo: 'demo', Production: 'production', Development: 'development' } as const;
export type ServerMode = (typeof ServerMode)[keyof typeof ServerMode];

export const postureItemSchema = z.strictObject({
  id: text(),
  ok: z.boolean(),
  /** How much it matters when not ok. */
  severity: z.enum(['info', 'warning', 'critical']),
  detail: text(),
  /** One line saying what to do; empty when ok. */
  fix: text(),
});
export type PostureItem = z.infer<typeof postureItemSchema>;

export const statusResponseSchema = z.strictObject({
  mode: z.enum([ServerMode.Demo, ServerMode.Production, ServerMode.Development]),
  debug: z.boolean(),
  public_demo: z.boolean(),
  version: text(),
  uptime_s: z.number().int().min(0),
  tls: z.enum(['on', 'off', 'proxy']),
  cert_fingerprint256: text().nullable(),
  posture: z.array(postureItemSchema),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

export const healthResponseSchema = z.strictObject({ status: z.literal('ok') });

/**
 * `GET /ready`: 200 while the database answers — `degraded` when a shared dependency is
 * down but the server still serves (Redis: rate limits per instance meanwhile); 503 when
 * the database does not answer.
 */
export const readyResponseSchema = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  /** Where the rate-limit buckets are: `shared` (Redis), `local` (per process). */
  rate_limits: z.enum(['shared', 'local']),
  /** One line per degraded dependency. */
  warnings: z.array(text()),
});
export type ReadyResponse = z.infer<typeof readyResponseSchema>;

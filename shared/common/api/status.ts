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

/**
 * HTTP contract of `/api/v1/firewall/…` (read: operator, auditor and up; write: admin
 * and up): IP/CIDR rules, rate-limit tiers and the recent refusals the console shows.
 */
import { z } from 'zod';
import { text } from '../text.ts';

export const FirewallAction = { Allow: 'allow', Deny: 'deny' } as const;
export type FirewallAction = (typeof FirewallAction)[keyof typeof FirewallAction];
export const firewallActionSchema = z.enum([FirewallAction.Allow, FirewallAction.Deny]);

/** Rate-limit tiers: anonymous traffic, signed-in traffic, expensive routes. */
export const RateLimitTier = { Public: 'public', Authenticated: 'authenticated', Heavy: 'heavy' } as const;
export type RateLimitTier = (typeof RateLimitTier)[keyof typeof RateLimitTier];

const isoTime = z.iso.datetime({ offset: true });

/** A rule as the API returns it; `active` is false once it has expired. */
export const firewallRuleSchema = z.strictObject({
  id: text(),
  action: firewallActionSchema,
  /** Canonical CIDR text (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128). */
  cidr: text(),
  note: text().nullable(),
  expires_at: text().nullable(),
  active: z.boolean(),
  created_by: text().nullable(),
  created_at: text(),
  updated_at: text(),
});
export type FirewallRule = z.infer<typeof firewallRuleSchema>;

export const firewallRulesResponseSchema = z.strictObject({
  /** Default-deny mode (`FACTORY_FIREWALL_ENFORCE=1`): only allow-listed and loopback clients. */
  enforce: z.boolean(),
  rules: z.array(firewallRuleSchema),
});
export type FirewallRulesResponse = z.infer<typeof firewallRulesResponseSchema>;

export const createFirewallRuleRequestSchema = z.strictObject({
  action: firewallActionSchema,
  cidr: text().min(2).max(64),
  note: text().max(256).nullable().optional(),
  expires_at: isoTime.nullable().optional(),
});
export type CreateFirewallRuleRequest = z.infer<typeof createFirewallRuleRequestSchema>;

export const updateFirewallRuleRequestSchema = createFirewallRuleRequestSchema
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type UpdateFirewallRuleRequest = z.infer<typeof updateFirewallRuleRequestSchema>;

export const firewallRuleIdParamsSchema = z.strictObject({ id: text().min(1).max(64) });

/** One tier's token bucket: `capacity` requests at once, refilled at `refill_per_s`. */
export const rateLimitSchema = z.strictObject({
  capacity: z.number().int().min(1).max(1_000_000),
  refill_per_s: z.number().positive().max(1_000_000),
});
export type RateLimit = z.infer<typeof rateLimitSchema>;

export const rateLimitsSchema = z.strictObject({
  public: rateLimitSchema,
  authenticated: rateLimitSchema,
  heavy: rateLimitSchema,
});
export type RateLimits = z.infer<typeof rateLimitsSchema>;

/** Why a request was refused before it reached its route. */
export const BlockReason = {
  DenyRule: 'deny_rule',
  EnforceDefaultDeny: 'enforce_default_deny',
  RateLimited: 'rate_limited',
} as const;
export type BlockReason = (typeof BlockReason)[keyof typeof BlockReason];

export const firewallBlockSchema = z.strictObject({
  ip: text(),
  reason: z.enum([BlockReason.DenyRule, BlockReason.EnforceDefaultDeny, BlockReason.RateLimited]),
  rule_id: text().nullable(),
  tier: text().nullable(),
  count: z.number().int().min(1),
  first_at: text(),
  last_at: text(),
});
export type FirewallBlock = z.infer<typeof firewallBlockSchema>;

export const firewallBlocksResponseSchema = z.strictObject({ blocks: z.array(firewallBlockSchema) });
export type FirewallBlocksResponse = z.infer<typeof firewallBlocksResponseSchema>;

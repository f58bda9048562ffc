/**
 * HTTP contract of `/api/v1/firewall/…` (read: operator, auditor and up; write: admin
 * and up): IP/CIDR rules, rate-limit tiers and the recent refusals the console shows.
 */
import { z } from 'zod';

export const FirewallAction = { Allow: 'allow', Deny: 'deny' } as const;
export type FirewallAction = (typeof FirewallAction)[keyof typeof FirewallAction];
export const firewallActionSchema = z.enum([FirewallAction.Allow, FirewallAction.Deny]);

/** Rate-limit tiers: anonymous traffic, signed-in traffic, expensive routes. */
export const RateLimitTier = { Public: 'public', Authenticated: 'authenticated', Heavy: 'heavy' } as const;
export type RateLimitTier = (typeof RateLimitTier)[keyof typeof RateLimitTier];

const isoTime = z.iso.datetime({ offset: true });

/** A rule as the API returns it; `active` is false once it has expired. */
export const firewallRuleSchema = z.strictObject({
  id: z.string(),
  action: firewallActionSchema,
  /** Canonical CIDR text (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or /128). */
  cidr: z.string(),
  note: z.string().nullable(),
  expires_at: z.string().nullable(),
  active: z.boolean(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
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
  cidr: z.string().min(2).max(64),
  note: z.string().max(256).nullable().optional(),
  expires_at: isoTime.nullable().optional(),
});
export type CreateFirewallRuleRequest = z.infer<typeof createFirewallRuleRequestSchema>;

export const updateFirewallRuleRequestSchema = createFirewallRuleRequestSchema
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type UpdateFirewallRuleRequest = z.infer<typeof updateFirewallRuleRequestSchema>;

export const firewallRuleIdParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });

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
  ip: z.string(),
  reason: z.enum([BlockReason.DenyRule, BlockReason.EnforceDefaultDeny, BlockReason.RateLimited]),
  rule_id: z.string().nullable(),
  tier: z.string().nullable(),
  count: z.number().int().min(1),
  first_at: z.string(),
  last_at: z.string(),
});
export type FirewallBlock = z.infer<typeof firewallBlockSchema>;

export const firewallBlocksResponseSchema = z.strictObject({ blocks: z.array(firewallBlockSchema) });
export type FirewallBlocksResponse = z.infer<typeof firewallBlocksResponseSchema>;

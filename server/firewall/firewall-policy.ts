/**
 * The firewall's decision for one client address, pure so it is testable without a
 * server: expired rules are ignored, a matching deny always wins over any allow, and
 * in enforce mode (default-deny) only allow-listed and loopback clients get in.
 */
import { cidrContains, isLoopback, parseCidr, type Cidr, type ClientAddress } from './ip-cidr.ts';

export const RuleAction = { Allow: 'allow', Deny: 'deny' } as const;
export type RuleAction = (typeof RuleAction)[keyof typeof RuleAction];

/** A rule as the policy needs it. */
export interface PolicyRule {
  id: string;
  action: RuleAction;
  cidr: Cidr;
  /** Epoch ms after which the rule no longer applies; null = never expires. */
  expiresAtMs: number | null;
}

/** Why a client was let in or refused. */
export type Decision =
  | { allowed: true; reason: 'allow_rule'; ruleId: string }
  | { allowed: true; reason: 'loopback' | 'default_allow' }
  | { allowed: false; reason: 'deny_rule'; ruleId: string }
  | { allowed: false; reason: 'enforce_default_deny' };

/** Builds a policy rule from stored text; throws AddressError on a bad block. */
export function toPolicyRule(rule: {
  id: string;
  action: RuleAction;
  cidr: string;
  expires_at: string | null;
}): PolicyRule {
  return {
    id: rule.id,
    action: rule.action,
    cidr: parseCidr(rule.cidr),
    expiresAtMs: rule.expires_at === null ? null : Date.parse(rule.expires_at),
  };
}

/** Decides for one client. */
export function decide(
  client: ClientAddress,
  rules: readonly PolicyRule[],
  enforce: boolean,
  nowMs: number,
): Decision {
  let allowRule: string | undefined;
  for (const rule of rules) {
    if (rule.expiresAtMs !== null && rule.expiresAtMs <= nowMs) continue;
    if (!cidrContains(rule.cidr, client)) continue;
    if (rule.action === RuleAction.Deny) return { allowed: false, reason: 'deny_rule', ruleId: rule.id };
    allowRule ??= rule.id;
  }
  if (allowRule !== undefined) return { allowed: true, reason: 'allow_rule', ruleId: allowRule };
  if (!enforce) return { allowed: true, reason: 'default_allow' };
  return isLoopback(client)
    ? { allowed: true, reason: 'loopback' }
    : { allowed: false, reason: 'enforce_default_deny' };
}

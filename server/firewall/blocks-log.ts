/**
 * Recent refusals (rule hits and 429s), aggregated per client, reason and rule, for
 * the console's firewall view. In memory and bounded: a flood of distinct addresses
 * evicts the oldest rows instead of growing without limit.
 */
import type { BlockReason, FirewallBlock } from '../../shared/common/api/firewall.ts';

export class BlocksLog {
  private readonly rows = new Map<string, FirewallBlock>();
  private readonly max: number;

  constructor(max = 1000) {
    this.max = max;
  }

  record(
    ip: string,
    reason: BlockReason,
    ruleId: string | null,
    tier: string | null,
    now = new Date(),
  ): void {
    const key = `${ip}|${reason}|${ruleId ?? ''}|${tier ?? ''}`;
    const at = now.toISOString();
    const existing = this.rows.get(key);
    if (existing) {
      this.rows.delete(key);
      this.rows.set(key, { ...existing, count: existing.count + 1, last_at: at });
      return;
    }
    if (this.rows.size >= this.max) {
      const oldest = this.rows.keys().next().value;
      if (oldest !== undefined) this.rows.delete(oldest);
    }
    this.rows.set(key, { ip, reason, rule_id: ruleId, tier, count: 1, first_at: at, last_at: at });
  }

  /** Newest first. */
  list(limit = 200): FirewallBlock[] {
    return [...this.rows.values()].reverse().slice(0, limit);
  }
}

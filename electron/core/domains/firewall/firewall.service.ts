/**
 * The firewall view's backend: rules (list, add, edit expiry, delete — the server audits every
 * change and refuses them in public demo mode), rate-limit tiers, recent refusals,
 * and a series of 401/429 counts sampled from the server's Prometheus `/metrics`.
 */
import { z } from 'zod';
import {
  firewallBlocksResponseSchema,
  firewallRuleSchema,
  firewallRulesResponseSchema,
  rateLimitsSchema,
  type FirewallRule as ApiFirewallRule,
} from '../../../../shared/common/api/firewall.ts';
import type {
  FirewallBlock,
  FirewallRule,
  RateLimitTier,
  RefusalSample,
} from '../../../../shared/common/contract/bridge.ts';
import type {
  FirewallRuleInput,
  RuleExpiryInput,
  RuleInput,
} from '../../../../shared/common/contract/inputs.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import { readCounter } from './prometheus-text.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';

/** How often the refusal counters are sampled, and how many samples are kept (5 minutes). */
const SAMPLE_INTERVAL_MS = 5_000;
const MAX_SAMPLES = 60;

function toRule(rule: ApiFirewallRule): FirewallRule {
  return { id: rule.id, cidr: rule.cidr, action: rule.action, expiresAt: rule.expires_at, note: rule.note };
}

export interface FirewallServiceOptions {
  sampleIntervalMs?: number;
}

export class FirewallService implements DomainHandlers<'firewall'> {
  readonly #connection: FactoryConnection;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #previous: { unauthorized: number; rateLimited: number } | null = null;
  #samples: RefusalSample[] = [];
  #sampling = false;

  constructor(connection: FactoryConnection, options: FirewallServiceOptions = {}) {
    this.#connection = connection;
    this.#intervalMs = options.sampleIntervalMs ?? SAMPLE_INTERVAL_MS;
    // Session events: a sign-out or another server ends the sampling of this one.
    connection.on((event) => {
      if (event.type === 'server-changed' || event.session === null) this.stop();
    });
  }

  async listRules(): Promise<FirewallRule[]> {
    const response = await this.#connection.client.send('/api/v1/firewall/rules', {
      schema: firewallRulesResponseSchema,
    });
    return response.rules.filter((rule) => rule.active).map(toRule);
  }

  /** Adds a rule; a public demo server answers `demo_read_only`, shown as a refusal. */
  async addRule(input: FirewallRuleInput): Promise<FirewallRule> {
    const rule = await this.#connection.client.send('/api/v1/firewall/rules', {
      method: 'POST',
      body: {
        action: input.action,
        cidr: input.cidr,
        note: input.note ?? null,
        expires_at: input.expiresAt ?? null,
      },
      schema: firewallRuleSchema,
    });
    return toRule(rule);
  }

  /** Changes only the expiry (`null`: permanent); an unknown rule answers `not_found`. */
  async updateRule(input: RuleExpiryInput): Promise<FirewallRule> {
    const rule = await this.#connection.client.send(
      `/api/v1/firewall/rules/${encodeURIComponent(input.ruleId)}`,
      {
        method: 'PATCH',
        body: { expires_at: input.expiresAt },
        schema: firewallRuleSchema,
      },
    );
    return toRule(rule);
  }

  async deleteRule(input: RuleInput): Promise<{ deleted: boolean }> {
    await this.#connection.client.send(`/api/v1/firewall/rules/${encodeURIComponent(input.ruleId)}`, {
      method: 'DELETE',
      schema: z.undefined(),
    });
    return { deleted: true };
  }

  /** The tiers as "N requests per window": the window is the time a bucket takes to refill. */
  async rateLimits(): Promise<RateLimitTier[]> {
    const limits = await this.#connection.client.send('/api/v1/firewall/limits', {
      schema: rateLimitsSchema,
    });
    return (Object.entries(limits) as [string, { capacity: number; refill_per_s: number }][]).map(
      ([name, tier]) => ({
        name,
        limit: tier.capacity,
        windowSeconds: Math.round((tier.capacity / tier.refill_per_s) * 10) / 10,
      }),
    );
  }

  async blocks(): Promise<FirewallBlock[]> {
    const response = await this.#connection.client.send('/api/v1/firewall/blocks', {
      schema: firewallBlocksResponseSchema,
    });
    return response.blocks.map((block) => ({
      ip: block.ip,
      reason: block.reason,
      ruleId: block.rule_id,
      tier: block.tier,
      count: block.count,
      firstAt: block.first_at,
      lastAt: block.last_at,
    }));
  }

  /**
   * The sampled series. The first call reads `/metrics` once (so a missing permission is
   * reported at once) and starts sampling every few seconds until {@link stop}.
   */
  async refusals(): Promise<RefusalSample[]> {
    if (this.#timer === null) {
      await this.#sample();
      this.#timer = setInterval(() => {
        // A slow server must not stack samples up: skip a tick while one is in flight.
        if (this.#sampling) return;
        this.#sampling = true;
        this.#sample()
          .catch(() => undefined)
          .finally(() => {
            this.#sampling = false;
          });
      }, this.#intervalMs);
      this.#timer.unref();
    }
    return [...this.#samples];
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#previous = null;
    this.#samples = [];
  }

  async #sample(): Promise<void> {
    const response = await this.#connection.client.open('/metrics');
    const text = await response.text();
    const now = {
      unauthorized: readCounter(text, 'factory_http_unauthorized_total'),
      rateLimited: readCounter(text, 'factory_http_rate_limited_total'),
    };
    const previous = this.#previous;
    this.#previous = now;
    if (!previous) return;
    // A restarted server resets its counters: count from zero again rather than go negative.
    const delta = (current: number, before: number) => (current >= before ? current - before : current);
    this.#samples.push({
      at: new Date().toISOString(),
      unauthorized: delta(now.unauthorized, previous.unauthorized),
      rateLimited: delta(now.rateLimited, previous.rateLimited),
    });
    if (this.#samples.length > MAX_SAMPLES) this.#samples.splice(0, this.#samples.length - MAX_SAMPLES);
  }
}

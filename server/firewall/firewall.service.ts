/**
 * The firewall's state: rules from the database (cached, reloaded on every change and
 * periodically so several instances converge), rate-limit tiers, token buckets and the
 * recent-blocks log. Rule and limit changes go through here; each commits with its audit
 * entry in one transaction (`app.audit.transact`).
 */
import { AuditEventType, type AuditEventInput } from '../../shared/common/audit-event.ts';
import type {
  BlockReason,
  CreateFirewallRuleRequest,
  FirewallRule,
  RateLimits,
  RateLimitTier,
  UpdateFirewallRuleRequest,
} from '../../shared/common/api/firewall.ts';
import type { TransactionalAuditSink } from '../audit-sink.ts';
import { BlocksLog } from './blocks-log.ts';
import { decide, toPolicyRule, type Decision, type PolicyRule } from './firewall-policy.ts';
import { FirewallStore, type FirewallRuleRow } from './firewall.store.ts';
import { clientAddress, parseCidr, type ClientAddress } from './ip-cidr.ts';
import type { RedisBucketsStatus } from './redis-buckets.ts';
import { TokenBucketStore, type BucketStore, type TakeResult } from './token-bucket.ts';

/**
 * Defaults, generous enough for a console and its operator, tight enough to slow a
 * password guesser to one try every two seconds after a burst of 30.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  public: { capacity: 300, refill_per_s: 5 },
  authenticated: { capacity: 600, refill_per_s: 20 },
  heavy: { capacity: 30, refill_per_s: 0.5 },
};

/** Who changed something, for the audit entry. */
export interface FirewallActor {
  actor: string;
  ip: string;
  requestId: string;
}

const RELOAD_MS = 30_000;

function toApiRule(row: FirewallRuleRow, now: number): FirewallRule {
  return {
    id: row.id,
    action: row.action as FirewallRule['action'],
    cidr: row.cidr,
    note: row.note,
    expires_at: row.expires_at,
    active: row.expires_at === null || Date.parse(row.expires_at) > now,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class FirewallService {
  readonly enforce: boolean;
  readonly blocks = new BlocksLog();
  private readonly store: FirewallStore;
  private readonly audit: TransactionalAuditSink;
  private readonly buckets: BucketStore & { status?(): RedisBucketsStatus };
  private readonly now: () => number;
  private policy: PolicyRule[] = [];
  private limits: RateLimits = DEFAULT_RATE_LIMITS;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: {
    store: FirewallStore;
    audit: TransactionalAuditSink;
    enforce: boolean;
    now?: () => number;
    /** Where the buckets live: default this process (token-bucket.ts); Redis when configured. */
    buckets?: BucketStore & { status?(): RedisBucketsStatus };
  }) {
    this.store = options.store;
    this.audit = options.audit;
    this.enforce = options.enforce;
    this.now = options.now ?? Date.now;
    this.buckets = options.buckets ?? new TokenBucketStore({ now: this.now });
  }

  /** Loads rules and limits and starts the periodic reload. */
  async start(onError: (error: unknown) => void): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => this.reload().catch(onError), RELOAD_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async reload(): Promise<void> {
    const rows = await this.store.listRules();
    // A row that no longer parses (edited by hand) is skipped rather than taking the server down.
    this.policy = rows.flatMap((row) => {
      try {
        return [toPolicyRule({ ...row, action: row.action as PolicyRule['action'] })];
      } catch {
        return [];
      }
    });
    this.limits = (await this.store.loadLimits()) ?? DEFAULT_RATE_LIMITS;
  }

  /** Allow or refuse a client address (text from the socket or a trusted proxy). */
  decide(address: ClientAddress): Decision {
    return decide(address, this.policy, this.enforce, this.now());
  }

  /** Where the buckets are: undefined for this process's own (no Redis configured). */
  bucketStatus(): RedisBucketsStatus | undefined {
    return this.buckets.status?.();
  }

  /** Takes a token for a client in a tier (a promise when the buckets are shared). */
  take(address: ClientAddress, tier: RateLimitTier): TakeResult | Promise<TakeResult> {
    const limit = this.limits[tier];
    return this.buckets.take(`${tier}|${address.bucketKey}`, {
      capacity: limit.capacity,
      refillPerSecond: limit.refill_per_s,
    });
  }

  recordBlock(address: string, reason: BlockReason, ruleId: string | null, tier: string | null): void {
    this.blocks.record(address, reason, ruleId, tier, new Date(this.now()));
  }

  async listRules(): Promise<FirewallRule[]> {
    const now = this.now();
    return (await this.store.listRules()).map((row) => toApiRule(row, now));
  }

  async createRule(input: CreateFirewallRuleRequest, by: FirewallActor): Promise<FirewallRule> {
    const cidr = parseCidr(input.cidr).text;
    const row = await this.audit.transact(async (trx, append) => {
      const created = await new FirewallStore(trx).createRule({
        action: input.action,
        cidr,
        note: input.note ?? null,
        expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
        created_by: by.actor,
      });
      append(
        this.entry(AuditEventType.FirewallRuleCreate, `firewall-rule/${created.id}`, by, {
          action: created.action,
          cidr,
          expires_at: created.expires_at,
          note: created.note,
        }),
      );
      return created;
    });
    await this.reload();
    return toApiRule(row, this.now());
  }

  async updateRule(
    id: string,
    input: UpdateFirewallRuleRequest,
    by: FirewallActor,
  ): Promise<FirewallRule | undefined> {
    const changes: Parameters<FirewallStore['updateRule']>[1] = {};
    if (input.action !== undefined) changes.action = input.action;
    if (input.cidr !== undefined) changes.cidr = parseCidr(input.cidr).text;
    if (input.note !== undefined) changes.note = input.note;
    if (input.expires_at !== undefined) {
      changes.expires_at = input.expires_at === null ? null : new Date(input.expires_at).toISOString();
    }
    const after = await this.audit.transact(async (trx, append) => {
      const store = new FirewallStore(trx);
      const before = await store.getRule(id);
      if (!before) return undefined;
      const changed = await store.updateRule(id, changes);
      if (!changed) return undefined;
      append(
        this.entry(AuditEventType.FirewallRuleUpdate, `firewall-rule/${id}`, by, {
          before: {
            action: before.action,
            cidr: before.cidr,
            expires_at: before.expires_at,
            note: before.note,
          },
          after: {
            action: changed.action,
            cidr: changed.cidr,
            expires_at: changed.expires_at,
            note: changed.note,
          },
        }),
      );
      return changed;
    });
    if (!after) return undefined;
    await this.reload();
    return toApiRule(after, this.now());
  }

  async deleteRule(id: string, by: FirewallActor): Promise<boolean> {
    const deleted = await this.audit.transact(async (trx, append) => {
      const store = new FirewallStore(trx);
      const before = await store.getRule(id);
      if (!before || !(await store.deleteRule(id))) return false;
      append(
        this.entry(AuditEventType.FirewallRuleDelete, `firewall-rule/${id}`, by, {
          action: before.action,
          cidr: before.cidr,
        }),
      );
      return true;
    });
    if (deleted) await this.reload();
    return deleted;
  }

  getLimits(): RateLimits {
    return this.limits;
  }

  /** Replaces the tiers; buckets restart full under the new limits. */
  async setLimits(limits: RateLimits, by: FirewallActor): Promise<RateLimits> {
    const before = this.limits;
    await this.audit.transact(async (trx, append) => {
      await new FirewallStore(trx).saveLimits(limits);
      append(this.entry(AuditEventType.RateLimitChange, 'firewall/limits', by, { before, after: limits }));
    });
    this.limits = limits;
    this.buckets.clear();
    return limits;
  }

  private entry(
    type: AuditEventType,
    resource: string,
    by: FirewallActor,
    details: Record<string, unknown>,
  ): AuditEventInput {
    return { type, actor: by.actor, resource, ip: by.ip, request_id: by.requestId, details };
  }
}

/**
 * Parsed client addresses by their text. A client sends many requests from one address,
 * and parsing (ipaddr.js, big integers, canonical text) is most of the firewall's cost
 * per request; the parse is a pure function of the text, so the result is reused.
 * Bounded: past {@link ADDRESS_CACHE_MAX} entries the cache starts over.
 */
const addressCache = new Map<string, ClientAddress | null>();
export const ADDRESS_CACHE_MAX = 10_000;

/** Parses a request's address, or undefined when it is not an IP (e.g. a Unix socket). */
export function tryClientAddress(ip: string | undefined): ClientAddress | undefined {
  if (ip === undefined) return undefined;
  const known = addressCache.get(ip);
  if (known !== undefined) return known ?? undefined;
  let parsed: ClientAddress | null;
  try {
    parsed = Object.freeze(clientAddress(ip));
  } catch {
    parsed = null;
  }
  if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
  addressCache.set(ip, parsed);
  return parsed ?? undefined;
}

/** Firewall rules and rate-limit settings in the database (through the server's Kysely layer). */
import { randomUUID } from 'node:crypto';
import { rateLimitsSchema, type RateLimits } from '../../shared/common/api/firewall.ts';
import type { Db } from '../db/database.ts';
import { withAuditTables, type AuditDb, type FirewallRulesTable } from '../audit/audit.tables.ts';

export type FirewallRuleRow = FirewallRulesTable;

const LIMITS_KEY = 'rate_limits';

export class FirewallStore {
  private readonly db: AuditDb;

  constructor(db: Db) {
    this.db = withAuditTables(db);
  }

  async listRules(): Promise<FirewallRuleRow[]> {
    return this.db.selectFrom('firewall_rules').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async getRule(id: string): Promise<FirewallRuleRow | undefined> {
    return this.db.selectFrom('firewall_rules').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async createRule(
    input: Omit<FirewallRuleRow, 'id' | 'created_at' | 'updated_at'>,
  ): Promise<FirewallRuleRow> {
    const now = new Date().toISOString();
    const row: FirewallRuleRow = { id: randomUUID(), ...input, created_at: now, updated_at: now };
    await this.db.insertInto('firewall_rules').values(row).execute();
    return row;
  }

  async updateRule(
    id: string,
    changes: Partial<Pick<FirewallRuleRow, 'action' | 'cidr' | 'note' | 'expires_at'>>,
  ) {
    await this.db
      .updateTable('firewall_rules')
      .set({ ...changes, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    return this.getRule(id);
  }

  async deleteRule(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('firewall_rules').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Stored limits, or undefined when none were ever set (the defaults apply). */
  async loadLimits(): Promise<RateLimits | undefined> {
    const row = await this.db
      .selectFrom('firewall_settings')
      .select('value')
      .where('key', '=', LIMITS_KEY)
      .executeTakeFirst();
    if (!row) return undefined;
    const parsed = rateLimitsSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : undefined;
  }

  async saveLimits(limits: RateLimits): Promise<void> {
    const value = JSON.stringify(limits);
    await this.db
      .insertInto('firewall_settings')
      .values({ key: LIMITS_KEY, value })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
      .execute();
  }
}

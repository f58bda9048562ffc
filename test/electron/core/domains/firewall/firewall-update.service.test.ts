/**
 * `FirewallService.updateRule` against a real Factory API (plain HTTP on a free loopback
 * port, temp data folder): a rule's expiry set, cleared and moved into the past, the
 * audited change, an unknown rule, and the refusal of a public demo server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFactory, type RunningFactory } from '../../../../../server/factory.ts';
import { FactoryConnection } from '../../../../../electron/core/factory-api/factory-connection.ts';
import { AuditService } from '../../../../../electron/core/domains/audit/audit.service.ts';
import { FirewallService } from '../../../../../electron/core/domains/firewall/firewall.service.ts';

const PASSWORD = 'service-test-password-1234';
const dirs: string[] = [];
const factories: RunningFactory[] = [];
const services: { stop(): void }[] = [];

/** A fresh factory with a signed-in connection and the two services over it. */
async function open(demo: boolean) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'svc-fw-update-'));
  dirs.push(dataDir);
  const factory = await startFactory({
    dataDir,
    tls: 'off',
    devBootstrapPassword: PASSWORD,
    logLevel: 'silent',
    demo,
  });
  factories.push(factory);
  const connection = new FactoryConnection({
    startEmbedded: () => Promise.reject(new Error('not used')),
    trust: { pinFor: () => undefined },
    timeoutMs: 10_000,
  });
  await connection.connect(factory.url);
  await connection.client.login(factory.adminEmail, PASSWORD);
  const firewall = new FirewallService(connection);
  const audit = new AuditService(connection, () => undefined);
  services.push(firewall, audit);
  return { firewall, audit };
}

let firewall: FirewallService;
let audit: AuditService;

beforeAll(async () => {
  ({ firewall, audit } = await open(false));
}, 60_000);

afterAll(async () => {
  for (const service of services) service.stop();
  for (const factory of factories) await factory.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('FirewallService.updateRule', () => {
  it('sets, clears and expires a rule, and the server audits each change', async () => {
    const added = await firewall.addRule({ cidr: '203.0.113.0/24', action: 'deny', note: 'expiry test' });
    expect(added.expiresAt).toBeNull();

    const later = new Date(Date.now() + 86_400_000).toISOString();
    const dated = await firewall.updateRule({ ruleId: added.id, expiresAt: later });
    expect(dated).toMatchObject({ id: added.id, cidr: added.cidr, action: 'deny', note: 'expiry test' });
    expect(Date.parse(dated.expiresAt ?? '')).toBe(Date.parse(later));
    const listed = (await firewall.listRules()).find((rule) => rule.id === added.id);
    expect(Date.parse(listed?.expiresAt ?? '')).toBe(Date.parse(later));

    const permanent = await firewall.updateRule({ ruleId: added.id, expiresAt: null });
    expect(permanent.expiresAt).toBeNull();
    expect((await firewall.listRules()).find((rule) => rule.id === added.id)?.expiresAt).toBeNull();

    const updates = await audit.page({ limit: 50, type: 'firewall_rule_update' });
    expect(updates.entries.filter((entry) => entry.resource === `firewall-rule/${added.id}`)).toHaveLength(2);

    // An expiry in the past ends the rule: the list shows active rules only.
    await firewall.updateRule({ ruleId: added.id, expiresAt: new Date(Date.now() - 60_000).toISOString() });
    expect((await firewall.listRules()).map((rule) => rule.id)).not.toContain(added.id);
  });

  it('answers not_found for an unknown rule', async () => {
    await expect(firewall.updateRule({ ruleId: 'no-such-rule', expiresAt: null })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('is refused by a public demo server', async () => {
    const demo = await open(true);
    await expect(demo.firewall.updateRule({ ruleId: 'any-rule', expiresAt: null })).rejects.toMatchObject({
      code: 'demo_read_only',
    });
  }, 60_000);
});

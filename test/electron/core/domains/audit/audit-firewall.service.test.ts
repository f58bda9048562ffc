/**
 * The audit and firewall services against a real Factory API (plain HTTP on a free
 * loopback port, temp data folder): pages with totals and offsets, verification with
 * the checkpoint time, export → tamper → offline verification, the live tail, rule
 * changes, recent refusals and the sampled 401 counter.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFactory, type RunningFactory } from '../../../../../server/factory.ts';
import { FactoryConnection } from '../../../../../electron/core/factory-api/factory-connection.ts';
import { AuditService } from '../../../../../electron/core/domains/audit/audit.service.ts';
import { FirewallService } from '../../../../../electron/core/domains/firewall/firewall.service.ts';
import { ConsoleError } from '../../../../../electron/core/platform/console-error.ts';
import type { AuditEntrySummary } from '../../../../../shared/common/contract/bridge.ts';

const PASSWORD = 'service-test-password-1234';
let dataDir: string;
let outDir: string;
let factory: RunningFactory;
let connection: FactoryConnection;
const pushed: AuditEntrySummary[] = [];
let audit: AuditService;
let firewall: FirewallService;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'svc-factory-'));
  outDir = await mkdtemp(path.join(tmpdir(), 'svc-export-'));
  factory = await startFactory({ dataDir, tls: 'off', devBootstrapPassword: PASSWORD, logLevel: 'silent' });
  connection = new FactoryConnection({
    startEmbedded: () => Promise.reject(new Error('not used')),
    trust: { pinFor: () => undefined },
    timeoutMs: 10_000,
  });
  await connection.connect(factory.url);
  await connection.client.login(factory.adminEmail, PASSWORD);
  audit = new AuditService(connection, (entry) => pushed.push(entry));
  firewall = new FirewallService(connection, { sampleIntervalMs: 200 });
}, 60_000);

afterAll(async () => {
  audit?.stop();
  firewall?.stop();
  await factory?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

/** Waits (bounded) until `check` holds. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}

/** A GET from a chosen loopback source address (127.0.0.x), to exercise deny rules. */
function getFrom(localAddress: string, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${factory.url}${pathname}`, { localAddress }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

describe('AuditService', () => {
  it('pages ascending with the filter total, jumps by offset, and carries details', async () => {
    const first = await audit.page({ limit: 2 });
    expect(first.total).toBeGreaterThanOrEqual(1);
    expect(first.entries[0]?.seq).toBe(1);
    const logins = await audit.page({ limit: 50, type: 'login_success' });
    expect(logins.entries.length).toBeGreaterThanOrEqual(1);
    expect(logins.total).toBe(logins.entries.length);
    expect(logins.entries.every((entry) => entry.type === 'login_success')).toBe(true);
    expect(logins.entries[0]?.actor).toBe(factory.adminEmail);
    expect(typeof logins.entries[0]?.details).toBe('object');
    const all = await audit.page({ limit: 500 });
    const last = all.entries.at(-1)!;
    const jumped = await audit.page({ limit: 1, offset: (all.total ?? 0) - 1 });
    expect(jumped.entries[0]?.seq).toBe(last.seq);
    await expect(audit.page({ limit: 1, cursor: 'not-a-seq' })).rejects.toBeInstanceOf(ConsoleError);
  });

  it('verifies on the server and reports the checkpoint time', async () => {
    const path1 = path.join(outDir, 'checkpoint.jsonl');
    await audit.exportTo({ path: path1 }); // signs a checkpoint
    const result = await audit.verify();
    expect(result.intact).toBe(true);
    expect(result.checked).toBeGreaterThan(0);
    expect(result.checkpointSize).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(result.checkpointAt ?? ''))).toBe(false);
  });

  it('exports the signed JSONL; the intact file verifies, a one-byte change names the first bad entry', async () => {
    const target = path.join(outDir, 'audit.jsonl');
    const exported = await audit.exportTo({ path: target });
    expect(exported.entries).toBeGreaterThan(1);
    const text = await readFile(target, 'utf8');
    expect((await readFile(target)).length).toBe(exported.bytes);
    expect(JSON.parse(text.trim().split('\n').at(-1)!)).toHaveProperty('checkpoint');
    expect((await audit.verifyFile({ path: target })).intact).toBe(true);
    await expect(audit.exportTo({ path: target })).rejects.toMatchObject({ code: 'conflict' });
    await expect(audit.exportTo({ path: 'relative.jsonl' })).rejects.toMatchObject({
      code: 'validation_failed',
    });

    const lines = text.split('\n');
    const victim = 2; // the third entry
    lines[victim] = lines[victim]!.replace(/"actor":"/, '"actor":"X');
    const tampered = path.join(outDir, 'tampered.jsonl');
    await writeFile(tampered, lines.join('\n'));
    const seq = (JSON.parse(text.split('\n')[victim]!) as { seq: number }).seq;
    const bad = await audit.verifyFile({ path: tampered });
    expect(bad.intact).toBe(false);
    expect(bad.firstBadSeq).toBe(seq);
    await expect(audit.verifyFile({ path: path.join(outDir, 'missing.jsonl') })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('never replaces a file that appears at the target while the export downloads', async () => {
    const target = path.join(outDir, 'raced.jsonl');
    const client = connection.client;
    const open = client.open.bind(client);
    // The response has arrived, the body is not yet written: another program creates the file.
    client.open = (async (...args: Parameters<typeof open>) => {
      const response = await open(...args);
      await writeFile(target, 'written meanwhile\n', { flag: 'wx' });
      return response;
    }) as typeof open;
    try {
      await expect(audit.exportTo({ path: target })).rejects.toMatchObject({ code: 'conflict' });
    } finally {
      client.open = open;
    }
    expect(await readFile(target, 'utf8')).toBe('written meanwhile\n');
    expect((await readdir(outDir)).filter((name) => name.includes('raced.jsonl'))).toEqual(['raced.jsonl']);
  });

  it('pushes new entries from the live tail', async () => {
    const before = pushed.length;
    await firewall.addRule({ cidr: '192.0.2.0/24', action: 'deny', note: 'tail test' });
    await eventually(() => pushed.slice(before).some((entry) => entry.type.startsWith('firewall')));
    const seqs = pushed.map((entry) => entry.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('FirewallService', () => {
  it('lists, adds and deletes rules', async () => {
    const added = await firewall.addRule({ cidr: '198.51.100.7', action: 'allow', note: 'bench' });
    expect(added.cidr).toBe('198.51.100.7/32');
    expect((await firewall.listRules()).map((rule) => rule.id)).toContain(added.id);
    expect(await firewall.deleteRule({ ruleId: added.id })).toEqual({ deleted: true });
    expect((await firewall.listRules()).map((rule) => rule.id)).not.toContain(added.id);
    await expect(firewall.deleteRule({ ruleId: added.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('maps the rate-limit tiers', async () => {
    const tiers = await firewall.rateLimits();
    expect(tiers.map((tier) => tier.name).sort()).toEqual(['authenticated', 'heavy', 'public']);
    expect(tiers.every((tier) => tier.limit > 0 && tier.windowSeconds > 0)).toBe(true);
  });

  it('shows a refusal by a deny rule among the recent blocks', async () => {
    const rule = await firewall.addRule({ cidr: '127.0.0.77', action: 'deny', note: 'block test' });
    expect(await getFrom('127.0.0.77', '/health')).toBe(403);
    const blocks = await firewall.blocks();
    expect(blocks.some((block) => block.ip === '127.0.0.77' && block.ruleId === rule.id)).toBe(true);
    await firewall.deleteRule({ ruleId: rule.id });
  });

  it('samples 401 responses from /metrics', async () => {
    await firewall.refusals();
    for (let index = 0; index < 3; index += 1) {
      const response = await fetch(`${factory.url}/api/v1/audit`);
      expect(response.status).toBe(401);
    }
    await eventually(async () => {
      const samples = await firewall.refusals();
      return samples.reduce((sum, sample) => sum + sample.unauthorized, 0) >= 3;
    });
  });
});

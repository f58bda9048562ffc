/**
 * The embedded demo's sample data: seeded once through the public API, then served
 * by a read-only demo factory (a real server on a loopback port, a temp data dir).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RESOURCE, sampleResourceBytes } from '../../../server/demo/sample-data.ts';
import { openContainerBuffer } from '../../../shared/node/crypto/container.ts';
import { openEnvelope } from '../../../shared/node/crypto/envelope.ts';
import { generateX25519KeyPair } from '../../../shared/node/crypto/x25519.ts';
import { startFactory, type RunningFactory } from '../../../server/factory.ts';

const password = 'sample-data test password';
let dataDir: string;
let factory: RunningFactory;

async function api(path: string, token?: string, init: RequestInit = {}) {
  const response = await fetch(`${factory.url}${path}`, {
    ...init,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function login(): Promise<string> {
  const { status, body } = await api('/api/v1/auth/login', undefined, {
    method: 'POST',
    body: JSON.stringify({ email: factory.adminEmail, password }),
  });
  expect(status).toBe(200);
  return body['access_token'] as string;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fc-sample-'));
  factory = await startFactory({
    dataDir,
    tls: 'off',
    demo: true,
    sampleData: true,
    devBootstrapPassword: password,
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await factory?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded demo sample data', () => {
  it('is deterministic bytes, the same on every machine', () => {
    const bytes = sampleResourceBytes(100);
    expect(bytes.equals(sampleResourceBytes(100))).toBe(true);
    expect(
      bytes.subarray(0, 32).equals(createHash('sha256').update('FactoryConsole/sample/0').digest()),
    ).toBe(true);
  });

  it('publishes a sample resource whose manifest matches the sample bytes', async () => {
    const token = await login();
    const list = await api('/api/v1/resources', token);
    expect(list.status).toBe(200);
    const resources = (list.body['resources'] ?? []) as Array<Record<string, unknown>>;
    const sample = resources.filter((resource) => resource['name'] === SAMPLE_RESOURCE.name);
    expect(sample).toHaveLength(1);
    const manifest = await api(`/api/v1/resources/${String(sample[0]!['id'])}/manifest`, token);
    expect(JSON.stringify(manifest.body)).toContain(
      createHash('sha256').update(sampleResourceBytes()).digest('hex'),
    );
  });

  it('has example firewall rules and pipeline hand-offs in a verifying audit chain', async () => {
    const token = await login();
    const rules = await api('/api/v1/firewall/rules', token);
    const cidrs = ((rules.body['rules'] ?? []) as Array<{ cidr: string }>).map((rule) => rule.cidr);
    expect(cidrs).toEqual(expect.arrayContaining(['203.0.113.0/24', '127.0.0.0/8', '2001:db8::/32']));
    const handoffs = await api('/api/v1/audit?type=agent_handoff&limit=50', token);
    expect(JSON.stringify(handoffs.body)).toContain('"from_agent":"builder"');
    const verify = await api('/api/v1/audit/verify', token);
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('lets a demo visitor activate and unlock the sample: the bytes come back exactly', async () => {
    const token = await login();
    const keys = generateX25519KeyPair();
    const activation = await api('/api/v1/machines', token, {
      method: 'POST',
      body: JSON.stringify({
        hw_hash: createHash('sha384').update('demo machine').digest('hex'),
        public_key: keys.publicKey.toString('base64'),
        label: 'demo visitor',
      }),
    });
    expect(activation.status).toBeLessThan(300);
    const machineId = activation.body['machine_id'] as string;
    const list = (await api('/api/v1/resources', token)).body['resources'] as Array<{ id: string }>;
    const resourceId = list[0]!.id;
    const unlock = await api(`/api/v1/resources/${resourceId}/unlock`, token, {
      method: 'POST',
      body: JSON.stringify({ machine_id: machineId }),
    });
    expect(unlock.status).toBe(200);
    const payload = openEnvelope({
      recipientPrivateKey: keys.privateKey,
      resourceId,
      machineId,
      envelope: Buffer.from(unlock.body['envelope'] as string, 'base64'),
    });
    const big = Buffer.from(
      await (await fetch(`${factory.url}${String(unlock.body['cdn_url'])}`)).arrayBuffer(),
    );
    const container = Buffer.concat([payload.subarray(32), big]);
    const plaintext = openContainerBuffer(container, { dek: payload.subarray(0, 32), resourceId });
    expect(plaintext.equals(sampleResourceBytes())).toBe(true);
  });

  it('serves it read-only, and does not seed twice', async () => {
    const token = await login();
    const refused = await api('/api/v1/firewall/rules', token, {
      method: 'POST',
      body: JSON.stringify({ action: 'deny', cidr: '198.51.100.0/24' }),
    });
    expect(refused.status).toBe(403);
    await factory.close();
    factory = await startFactory({
      dataDir,
      tls: 'off',
      demo: true,
      sampleData: true,
      devBootstrapPassword: password,
      logLevel: 'silent',
    });
    const again = await login();
    const resources = (await api('/api/v1/resources', again)).body['resources'] as unknown[];
    expect(resources).toHaveLength(1);
  });
});

/**
 * Sample data for the console's embedded demo factory (docs/ARCHITECTURE.md
 * §The embedded default): a sample resource to unlock, firewall rules to look at, and pipeline
 * `agent_handoff` entries in the audit log. Seeded once, through the public HTTP API
 * as the bootstrap administrator — the same doors an operator uses, so every seed is
 * validated and audited like any other change — before the factory restarts in
 * read-only demo mode.
 */
import { createHash } from 'node:crypto';

/** What a sample is called, so tests and the UI can find it. */
export const SAMPLE_RESOURCE = { name: 'sample-model', version: '1.0.0' } as const;
/** 3 MiB and a bit: several FCR1 chunks, so unlock progress is visible. */
const SAMPLE_BYTES = 3 * 1024 * 1024 + 12_345;

/**
 * Deterministic sample bytes (SHA-256 in counter mode): the same on every machine,
 * so a demo unlock can be checked against a published digest.
 */
export function sampleResourceBytes(size = SAMPLE_BYTES): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let offset = 0, counter = 0; offset < size; offset += 32, counter += 1) {
    const block = createHash('sha256').update(`FactoryConsole/sample/${counter}`).digest();
    block.copy(out, offset, 0, Math.min(32, size - offset));
  }
  return out;
}

interface Session {
  base: string;
  headers: Record<string, string>;
}

async function call(session: Session, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${session.base}${path}`, {
    method,
    headers: {
      ...session.headers,
      ...(body instanceof Uint8Array
        ? { 'content-type': 'application/octet-stream' }
        : body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
    },
    ...(body === undefined ? {} : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    // The error body is the server's JSON error (never a secret); keep only its message.
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: the raw start of the body is message enough
    }
    throw new Error(`seeding sample data: ${method} ${path} answered ${response.status}: ${message}`);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Seeds the sample data into a running, writable factory. */
export async function seedSampleData(url: string, adminEmail: string, adminPassword: string): Promise<void> {
  const anonymous: Session = { base: url, headers: {} };
  const login = (await call(anonymous, 'POST', '/api/v1/auth/login', {
    email: adminEmail,
    password: adminPassword,
  })) as { access_token: string };
  const admin: Session = { base: url, headers: { authorization: `Bearer ${login.access_token}` } };

  const query = `name=${encodeURIComponent(SAMPLE_RESOURCE.name)}&version=${SAMPLE_RESOURCE.version}`;
  await call(admin, 'POST', `/api/v1/resources?${query}`, new Uint8Array(sampleResourceBytes()));

  const inThirtyDays = new Date(Date.now() + 30 * 86_400_000).toISOString();
  await call(admin, 'POST', '/api/v1/firewall/rules', {
    action: 'deny',
    cidr: '203.0.113.0/24',
    note: 'Example: a blocked range (TEST-NET-3, documentation addresses)',
    expires_at: inThirtyDays,
  });
  await call(admin, 'POST', '/api/v1/firewall/rules', {
    action: 'allow',
    cidr: '127.0.0.0/8',
    note: 'Example: operators on this workstation (loopback)',
  });
  await call(admin, 'POST', '/api/v1/firewall/rules', {
    action: 'deny',
    cidr: '2001:db8::/32',
    note: 'Example: an IPv6 range (documentation prefix)',
  });

  const key = (await call(admin, 'POST', '/api/v1/api-keys', {
    name: 'demo pipeline',
    scopes: ['audit:append'],
  })) as { key: string; id: string };
  const pipeline: Session = { base: url, headers: { 'x-api-key': key.key } };
  const handoffs: Array<[string, string, string]> = [
    ['planner', 'builder', 'plan approved'],
    ['builder', 'tester', 'build finished'],
    ['tester', 'publisher', 'all checks passed'],
  ];
  for (const [from, to, reason] of handoffs) {
    await call(pipeline, 'POST', '/api/v1/audit/events', {
      type: 'agent_handoff',
      resource: SAMPLE_RESOURCE.name,
      details: {
        from_agent: from,
        to_agent: to,
        reason,
        output_sha256: createHash('sha256').update(`${from}->${to}`).digest('hex'),
      },
    });
  }
  // The key was for seeding only: revoke it (an audited event too).
  await call(admin, 'DELETE', `/api/v1/api-keys/${key.id}`);
  await call(admin, 'POST', '/api/v1/auth/logout', {});
}

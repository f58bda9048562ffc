/**
 * The firewall through the HTTP API of a real app (inject with explicit client
 * addresses): rules, deny-before-auth, enforce mode, token-bucket limits and headers,
 * proxy headers, the blocks list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '../../../shared/common/audit-event.ts';
import type {
  FirewallBlocksResponse,
  FirewallRule,
  FirewallRulesResponse,
} from '../../../shared/common/api/firewall.ts';
import {
  ADMIN_EMAIL,
  bearer,
  DEV_PASSWORD,
  login,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from '../helpers.ts';

let harness: TestApp;
let admin: Session;

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  harness.app.inject({
    method,
    url,
    headers: bearer(admin.access_token),
    ...(payload === undefined ? {} : { payload }),
  });

const addRule = async (action: 'allow' | 'deny', cidr: string, extra: Record<string, unknown> = {}) => {
  const response = await call('POST', '/api/v1/firewall/rules', { action, cidr, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as FirewallRule;
};

const loginFrom = (remoteAddress: string) =>
  harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    payload: { email: ADMIN_EMAIL, password: 'wrong password!' },
  });

async function auditTypesFor(ip: string): Promise<string[]> {
  const response = await call('GET', `/api/v1/audit?q=${encodeURIComponent(ip)}&limit=1000`);
  return (response.json() as AuditPage).entries.filter((entry) => entry.ip === ip).map((entry) => entry.type);
}

describe('firewall rules', () => {
  it('refuses a denied address before the login handler runs', async () => {
    const rule = await addRule('deny', '203.0.113.0/24', { note: 'scanner' });
    expect(rule).toMatchObject({ action: 'deny', cidr: '203.0.113.0/24', active: true, note: 'scanner' });
    for (const address of ['203.0.113.0', '203.0.113.255', '::ffff:203.0.113.77']) {
      const refused = await loginFrom(address);
      expect(refused.statusCode).toBe(403);
      expect((refused.json() as { error: { code: string } }).error.code).toBe('firewall_denied');
    }
    expect(await auditTypesFor('203.0.113.0')).toEqual([]);
    expect(await auditTypesFor('203.0.113.255')).toEqual([]);
    const outside = await loginFrom('203.0.114.1');
    expect(outside.statusCode).toBe(401);
    expect(await auditTypesFor('203.0.114.1')).toContain('login_failure');
  });

  it('lets a deny beat an allow, honours expiry, and audits every change', async () => {
    const allow = await addRule('allow', '198.51.100.0/24');
    const deny = await addRule('deny', '198.51.100.7');
    expect(deny.cidr).toBe('198.51.100.7/32');
    expect((await loginFrom('198.51.100.7')).statusCode).toBe(403);
    expect((await loginFrom('198.51.100.8')).statusCode).toBe(401);
    const expired = await call('PATCH', `/api/v1/firewall/rules/${deny.id}`, {
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    expect(expired.statusCode).toBe(200);
    expect((expired.json() as FirewallRule).active).toBe(false);
    expect((await loginFrom('198.51.100.7')).statusCode).toBe(401);
    expect((await call('DELETE', `/api/v1/firewall/rules/${allow.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/firewall/rules/${allow.id}`)).statusCode).toBe(404);
    const audit = (await call('GET', '/api/v1/audit?limit=1000')).json() as AuditPage;
    const changes = audit.entries.filter((entry) => entry.type.startsWith('firewall_rule_'));
    expect(changes.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['firewall_rule_create', 'firewall_rule_update', 'firewall_rule_delete']),
    );
    expect(changes.every((entry) => entry.actor === ADMIN_EMAIL)).toBe(true);
  });

  it('applies a rule change on the next request from an address it has seen before', async () => {
    // Parsed addresses are reused between requests (firewall.service.ts): the decision is not.
    const address = '192.0.2.44';
    const health = (remoteAddress: string) =>
      harness.app.inject({ method: 'GET', url: '/health', remoteAddress });
    expect((await health(address)).statusCode).toBe(200);
    const rule = await addRule('deny', '192.0.2.32/28');
    expect((await health(address)).statusCode).toBe(403);
    expect((await health('::ffff:192.0.2.44')).statusCode).toBe(403);
    expect((await health('192.0.2.48')).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/firewall/rules/${rule.id}`)).statusCode).toBe(204);
    expect((await health(address)).statusCode).toBe(200);
  });

  it('puts each request in its tier: the route decides, else the credentials it presents', async () => {
    // A route's own tier is worked out once (firewall.plugin.ts); the credentials part is per request.
    const limitOf = (response: { headers: Record<string, unknown> }) => response.headers['x-ratelimit-limit'];
    const status = (headers: Record<string, string> = {}) =>
      harness.app.inject({ method: 'GET', url: '/api/v1/status', remoteAddress: '192.0.2.70', headers });
    expect([limitOf(await loginFrom('192.0.2.70')), limitOf(await loginFrom('192.0.2.70'))]).toEqual([
      '30',
      '30',
    ]);
    expect(limitOf(await status())).toBe('300');
    expect(limitOf(await status(bearer(admin.access_token)))).toBe('600');
    expect(limitOf(await status())).toBe('300');
    expect(
      limitOf(await harness.app.inject({ method: 'GET', url: '/health', remoteAddress: '192.0.2.70' })),
    ).toBe(undefined);
  });

  it('refuses bad rules with a clear message, and non-admins', async () => {
    for (const cidr of ['10.0.0.1/8', '300.1.1.1', '10.1', 'fe80::1%eth0']) {
      const response = await call('POST', '/api/v1/firewall/rules', { action: 'deny', cidr });
      expect(response.statusCode, cidr).toBe(400);
      expect((response.json() as { error: { code: string; message: string } }).error.message).toMatch(/cidr/);
    }
    const operator = await userWithRole(harness.app, admin, 'operator');
    const list = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/firewall/rules',
      headers: bearer(operator.access_token),
    });
    expect(list.statusCode).toBe(200);
    expect((list.json() as FirewallRulesResponse).enforce).toBe(false);
    const change = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/firewall/rules',
      headers: bearer(operator.access_token),
      payload: { action: 'deny', cidr: '10.0.0.0/8' },
    });
    expect(change.statusCode).toBe(403);
  });
});

describe('rate limits', () => {
  const setLimits = async (publicTier: { capacity: number; refill_per_s: number }) => {
    const response = await call('PUT', '/api/v1/firewall/limits', {
      public: publicTier,
      authenticated: { capacity: 600, refill_per_s: 20 },
      heavy: { capacity: 30, refill_per_s: 0.5 },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const anonymous = (remoteAddress: string, url = '/no-such-route') =>
    harness.app.inject({ method: 'GET', url, remoteAddress });

  it('allows a burst, then answers 429 with Retry-After, X-RateLimit-* and a JSON error; health is exempt', async () => {
    await setLimits({ capacity: 3, refill_per_s: 1 });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await anonymous('192.0.2.1');
      statuses.push(response.statusCode);
      expect(response.headers['x-ratelimit-limit']).toBe('3');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(2 - index));
    }
    expect(statuses).toEqual([404, 404, 404]);
    const limited = await anonymous('192.0.2.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect((limited.json() as { error: { code: string } }).error.code).toBe('rate_limited');
    for (let index = 0; index < 20; index += 1)
      expect((await anonymous('192.0.2.1', '/health')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(limited.headers['retry-after'])));
    expect((await anonymous('192.0.2.1')).statusCode).toBe(404);
  });

  it('keeps buckets per client, grouping IPv6 by /64 and mapped IPv4 with IPv4', async () => {
    await setLimits({ capacity: 2, refill_per_s: 0.01 });
    for (const address of ['192.0.2.10', '192.0.2.10'])
      expect((await anonymous(address)).statusCode).toBe(404);
    expect((await anonymous('::ffff:192.0.2.10')).statusCode).toBe(429);
    expect((await anonymous('192.0.2.11')).statusCode).toBe(404);
    expect((await anonymous('2001:db8:0:1::1')).statusCode).toBe(404);
    expect((await anonymous('2001:db8:0:1::ffff')).statusCode).toBe(404);
    expect((await anonymous('2001:db8:0:1:abcd::9')).statusCode).toBe(429);
    expect((await anonymous('2001:db8:0:2::1')).statusCode).toBe(404);
    const blocks = (await call('GET', '/api/v1/firewall/blocks')).json() as FirewallBlocksResponse;
    const mine = blocks.blocks.find((block) => block.ip === '192.0.2.10' && block.reason === 'rate_limited');
    expect(mine).toMatchObject({ tier: 'public', count: 1 });
    expect(blocks.blocks.some((block) => block.reason === 'deny_rule' && block.ip === '203.0.113.255')).toBe(
      true,
    );
  });

  it('sustains the refill rate within 5 % over HTTP', async () => {
    const rate = 20;
    const capacity = 20;
    await setLimits({ capacity, refill_per_s: rate });
    // First the burst: the bucket starts full, so it admits about its capacity until the
    // first 429. Measuring the rate from there on means a scheduler stall on a busy machine
    // cannot waste refill on a full bucket (a stall over capacity / rate = 1 s still would).
    let burst = 0;
    let drained = 0;
    for (let request = 0; request < 1000 && drained === 0; request += 1) {
      const response = await anonymous('192.0.2.99');
      if (response.statusCode === 404) burst += 1;
      else if (response.statusCode === 429) drained = performance.now();
      else throw new Error(`unexpected ${response.statusCode}`);
    }
    expect(drained, 'the burst ends with a 429').toBeGreaterThan(0);
    expect(burst).toBeGreaterThanOrEqual(capacity);
    expect(burst).toBeLessThanOrEqual(capacity + 3);
    let allowed = 0;
    let refused = 0;
    let last = drained;
    // Bounded: 4 s of back-to-back requests, much faster than the refill rate.
    while (performance.now() - drained < 4000) {
      const response = await anonymous('192.0.2.99');
      last = performance.now();
      if (response.statusCode === 404) allowed += 1;
      else if (response.statusCode === 429) refused += 1;
      else throw new Error(`unexpected ${response.statusCode}`);
    }
    expect(refused, 'the client must outrun the bucket for the measurement to mean anything').toBeGreaterThan(
      allowed,
    );
    const expected = ((last - drained) / 1000) * rate;
    expect(Math.abs(allowed - expected) / expected).toBeLessThan(0.05);
  });
});

describe('proxy headers and enforce mode', () => {
  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    await addRule('deny', '192.0.2.50');
    const spoofed = await harness.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-forwarded-for': '192.0.2.50' },
    });
    expect(spoofed.statusCode).toBe(200);
    const behindProxy = await startTestApp({ trustedProxies: ['127.0.0.1'] });
    try {
      const proxyAdmin = await login(behindProxy.app, ADMIN_EMAIL, DEV_PASSWORD);
      const created = await behindProxy.app.inject({
        method: 'POST',
        url: '/api/v1/firewall/rules',
        headers: bearer(proxyAdmin.access_token),
        payload: { action: 'deny', cidr: '192.0.2.50' },
      });
      expect(created.statusCode).toBe(201);
      const forwarded = await behindProxy.app.inject({
        method: 'GET',
        url: '/health',
        headers: { 'x-forwarded-for': '192.0.2.50' },
      });
      expect(forwarded.statusCode).toBe(403);
      const fromElsewhere = await behindProxy.app.inject({
        method: 'GET',
        url: '/health',
        remoteAddress: '198.51.100.200',
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(fromElsewhere.statusCode).toBe(200);
    } finally {
      await behindProxy.close();
    }
  });

  it('in enforce mode admits only allow-listed and loopback clients', async () => {
    process.env['FACTORY_FIREWALL_ENFORCE'] = '1';
    const enforced = await startTestApp().finally(() => delete process.env['FACTORY_FIREWALL_ENFORCE']);
    try {
      expect((await enforced.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect(
        (await enforced.app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.1' }))
          .statusCode,
      ).toBe(403);
      const enforcedAdmin = await login(enforced.app, ADMIN_EMAIL, DEV_PASSWORD);
      const rules = await enforced.app.inject({
        method: 'GET',
        url: '/api/v1/firewall/rules',
        headers: bearer(enforcedAdmin.access_token),
      });
      expect((rules.json() as FirewallRulesResponse).enforce).toBe(true);
      await enforced.app.inject({
        method: 'POST',
        url: '/api/v1/firewall/rules',
        headers: bearer(enforcedAdmin.access_token),
        payload: { action: 'allow', cidr: '198.51.100.0/24' },
      });
      expect(
        (await enforced.app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.1' }))
          .statusCode,
      ).toBe(200);
      expect(
        (await enforced.app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.101.1' }))
          .statusCode,
      ).toBe(403);
    } finally {
      await enforced.close();
    }
  });
});

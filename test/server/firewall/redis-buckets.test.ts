/**
 * Rate-limit buckets shared through a real Redis server (Debian's `redis-server` on a
 * loopback port, no persistence): two instances of one deployment give one budget, not
 * two; when Redis goes away they keep serving with per-process buckets, say so in `/ready`
 * and the posture checklist, log it once, and use Redis again once it is back. Wrong
 * credentials refuse to start, naming FACTORY_REDIS_URL.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostureItem, ReadyResponse } from '../../../shared/common/api/status.ts';
import { ConfigError } from '../../../server/config.ts';
import { COMMAND_TIMEOUT_MS, KEY_PREFIX } from '../../../server/firewall/redis-buckets.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, tempDir, type TestApp } from '../helpers.ts';
import { REDIS_MISSING, startRedis, type RedisServer } from './redis-server.ts';

const BUCKET = 40;

/** A logger that keeps its JSON lines, to count what was logged. */
function capturingLogger(): { logger: pino.Logger; lines: () => Array<{ msg: string; level: number }> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return {
    logger: pino({ level: 'info' }, sink),
    lines: () => lines.map((line) => JSON.parse(line) as { msg: string; level: number }),
  };
}

/** One unauthenticated request (public tier): 401 when admitted, 429 when over the limit. */
const knock = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/v1/status' });

async function setLimits(app: FastifyInstance, publicTier: { capacity: number; refill_per_s: number }) {
  const admin = await login(app, ADMIN_EMAIL, DEV_PASSWORD);
  const generous = { capacity: 1_000_000, refill_per_s: 1_000_000 };
  const response = await app.inject({
    method: 'PUT',
    url: '/api/v1/firewall/limits',
    headers: bearer(admin.access_token),
    payload: { public: publicTier, authenticated: generous, heavy: generous },
  });
  expect(response.statusCode).toBe(200);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ready = async (app: FastifyInstance) => {
  const response = await app.inject({ method: 'GET', url: '/ready' });
  return { status: response.statusCode, body: response.json() as ReadyResponse };
};

describe('the test Redis server', () => {
  it('without the binary, says in one line what to install', async () => {
    const nowhere = await tempDir('factory-no-redis-');
    try {
      await expect(startRedis({ binary: path.join(nowhere, 'redis-server') })).rejects.toThrow(REDIS_MISSING);
      expect(REDIS_MISSING).toContain('apt-get install redis-server');
      expect(REDIS_MISSING).not.toContain('\n');
    } finally {
      await fs.rm(nowhere, { recursive: true, force: true });
    }
  });
});

describe('two instances, one Redis', () => {
  let redis: RedisServer;
  let dataDir: string;
  let first: TestApp;
  let second: TestApp;
  const firstLog = capturingLogger();

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = await tempDir();
    first = await startTestApp({ redisUrl: redis.url }, { dataDir, logger: firstLog.logger });
    // The limits are in the database: the second instance reads them as it starts.
    await setLimits(first.app, { capacity: BUCKET, refill_per_s: 0.01 });
    second = await startTestApp({ redisUrl: redis.url }, { dataDir });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await redis?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it(`admit one bucket of ${BUCKET} between them, not one each`, async () => {
    expect((await ready(first.app)).body).toEqual({ status: 'ok', rate_limits: 'shared', warnings: [] });
    // Ten in flight at a time, alternating instances (as a balancer spreads one client).
    const responses: Awaited<ReturnType<typeof knock>>[] = [];
    for (let wave = 0; wave < (BUCKET * 3) / 10; wave += 1) {
      responses.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, index) => knock(index % 2 === 0 ? first.app : second.app)),
        )),
      );
    }
    const admitted = responses.filter((response) => response.statusCode !== 429).length;
    expect(admitted).toBeGreaterThanOrEqual(BUCKET);
    expect(admitted).toBeLessThanOrEqual(Math.floor(BUCKET * 1.05));
    // Both answered some, and both refused some: the budget really was shared.
    const refusedBy = (index: number) =>
      responses.filter((response, at) => at % 2 === index && response.statusCode === 429).length;
    expect(refusedBy(0)).toBeGreaterThan(0);
    expect(refusedBy(1)).toBeGreaterThan(0);
    const refused = responses.find((response) => response.statusCode === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['x-ratelimit-limit']).toBe(String(BUCKET));
  });

  it('keep serving when Redis is killed, say so in /ready and the posture, log it once, and use it again', async () => {
    await setLimits(first.app, { capacity: 1_000, refill_per_s: 1_000 });
    const admin = await login(first.app, ADMIN_EMAIL, DEV_PASSWORD);
    // Only what is logged from the kill on counts (a take slower than the timeout on a
    // loaded machine is an outage of its own, logged as one).
    const before = firstLog.lines().length;
    const logged = () => firstLog.lines().slice(before);
    await redis.kill();
    // Requests go on, each instance limiting on its own meanwhile.
    for (let index = 0; index < 30; index += 1) expect((await knock(first.app)).statusCode).toBe(401);
    const down = await ready(first.app);
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('degraded');
    expect(down.body.rate_limits).toBe('local');
    expect(down.body.warnings.join(' ')).toContain(`127.0.0.1:${redis.port}`);
    const status = await first.app.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: bearer(admin.access_token),
    });
    const item = (status.json() as { posture: PostureItem[] }).posture.find(
      (entry) => entry.id === 'rate_limit_store',
    );
    expect(item).toMatchObject({ ok: false, severity: 'warning' });
    expect(item!.detail).toContain('unreachable');
    expect(item!.fix).toContain('FACTORY_REDIS_URL');
    // ioredis retries in the background; still one line.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (let index = 0; index < 10; index += 1) await knock(first.app);
    const outage = logged().filter((line) => line.msg.includes('Redis is unreachable'));
    expect(outage, JSON.stringify(logged())).toHaveLength(1);
    expect(JSON.stringify(logged())).not.toContain('"err"');

    await redis.start();
    await until(async () => (await ready(first.app)).body.rate_limits === 'shared', 15_000);
    expect((await ready(first.app)).body).toEqual({ status: 'ok', rate_limits: 'shared', warnings: [] });
    expect(logged().filter((line) => line.msg.includes('Redis answers again'))).toHaveLength(1);
    // The restarted Redis kept nothing (no persistence): the next take writes a bucket there.
    const client = new Redis(redis.url);
    try {
      expect(await client.keys(`${KEY_PREFIX}*`)).toEqual([]);
      expect((await knock(first.app)).statusCode).toBe(401);
      expect((await client.keys(`${KEY_PREFIX}*`)).length).toBe(1);
    } finally {
      client.disconnect();
    }
  });
});

describe('a Redis that stalls (connected, not answering)', () => {
  let redis: RedisServer;
  let harness: TestApp;
  const log = capturingLogger();
  beforeAll(async () => {
    redis = await startRedis();
    harness = await startTestApp({ redisUrl: redis.url }, { logger: log.logger });
  });
  afterAll(async () => {
    await harness?.close();
    await redis?.stop();
  });

  it('answers from local buckets within the take timeout, and goes back to Redis once it answers', async () => {
    expect((await ready(harness.app)).body.rate_limits).toBe('shared');
    redis.pause();
    try {
      const started = Date.now();
      for (let index = 0; index < 5; index += 1) expect((await knock(harness.app)).statusCode).toBe(401);
      // A take waits at most COMMAND_TIMEOUT_MS for Redis, and only one take a second tries it.
      expect(Date.now() - started).toBeLessThan(5 * COMMAND_TIMEOUT_MS);
      expect((await ready(harness.app)).body).toMatchObject({ status: 'degraded', rate_limits: 'local' });
    } finally {
      redis.resume();
    }
    // The connection never dropped, so no reconnect announces it: the next tries find it.
    await until(async () => {
      await knock(harness.app);
      return (await ready(harness.app)).body.rate_limits === 'shared';
    }, 10_000);
    expect(log.lines().filter((line) => line.msg.includes('Redis is unreachable'))).toHaveLength(1);
    expect(log.lines().filter((line) => line.msg.includes('Redis answers again'))).toHaveLength(1);
  });
});

describe('Redis credentials', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ password: 'the-right-one' });
  });
  afterAll(async () => redis?.stop());

  it('wrong ones refuse to start with a ConfigError naming FACTORY_REDIS_URL, without the password', async () => {
    const url = `redis://:the-wrong-one@127.0.0.1:${redis.port}`;
    const error = await startTestApp({ redisUrl: url }).then(
      async (harness) => {
        await harness.close();
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('FACTORY_REDIS_URL');
    expect((error as Error).message).not.toContain('the-wrong-one');
  });

  it('the right ones share the buckets', async () => {
    const harness = await startTestApp({ redisUrl: `redis://:the-right-one@127.0.0.1:${redis.port}` });
    try {
      expect((await ready(harness.app)).body.rate_limits).toBe('shared');
    } finally {
      await harness.close();
    }
  });
});

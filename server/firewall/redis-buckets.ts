/**
 * Token buckets shared by every instance of a deployment, in Redis (`FACTORY_REDIS_URL`,
 * docs/DEPLOY.md §Rate limits across instances): N instances behind a balancer give one
 * budget per client, not N.
 *
 * One take is one Lua script (`EVALSHA`, so atomic on the Redis server): it reads the
 * bucket, refills it by the time elapsed on Redis's own clock (`TIME`, so the instances'
 * clocks do not matter), takes a token or not, writes it back and sets the key to expire
 * once the bucket would be full again (an idle client costs no memory). The bucket's key
 * names its tier's limits, so a change of limits starts every bucket full, on every
 * instance, without deleting keys.
 *
 * When Redis is unreachable (down at start, gone while running, a take slower than
 * {@link COMMAND_TIMEOUT_MS}) a take falls back to this process's own buckets
 * (token-bucket.ts) — the server keeps serving, limited per instance — and the outage is
 * logged once, reported by {@link RedisBucketStore.status} (posture checklist, `/ready`).
 * ioredis reconnects in the background; once it is ready again the shared buckets are
 * used again (logged once too).
 *
 * Trust boundary: the URL may carry a password; only host and port reach a log, the
 * posture checklist or an error.
 */
import { Redis } from 'ioredis';
import { ConfigError } from '../config-env.ts';
import {
  EPSILON,
  TokenBucketStore,
  takeResult,
  type BucketLimits,
  type BucketStore,
  type TakeResult,
} from './token-bucket.ts';

/**
 * A take that Redis has not answered within this falls back to the local bucket. Generous:
 * a busy event loop (this process's, not Redis's) delays the reply too, and a take that
 * falls back admits from the local bucket beside the shared one.
 */
export const COMMAND_TIMEOUT_MS = 1_000;
/** How long the start waits for Redis before serving with local buckets. */
export const START_TIMEOUT_MS = 3_000;
/** While Redis is connected but not answering in time: how often a take tries it again. */
export const RETRY_MS = 1_000;
/** Every shared bucket's key starts with this. */
export const KEY_PREFIX = 'factory:rl:';

const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ms')
local tokens = capacity
if state[1] and state[2] then
  local elapsed = math.max(0, now - tonumber(state[2])) / 1000
  tokens = math.min(capacity, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
if tokens + ${EPSILON} >= 1 then
  allowed = 1
  tokens = math.max(0, tokens - 1)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ms', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {allowed, string.format('%.17g', tokens)}
`;

/** Where the rate-limit buckets are right now. */
export interface RedisBucketsStatus {
  /** `shared`: in Redis; `local`: this process's own, while Redis is unreachable. */
  state: 'shared' | 'local';
  /** `host:port` of the Redis server (never the URL: it may carry a password). */
  target: string;
  /** When the state last changed (ISO 8601). */
  since: string;
  /** Why Redis is not used, while `local`. */
  reason: string | undefined;
}

/** What the store logs: one line per change of state. */
export interface BucketLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

type TakeCommand = (key: string, capacity: number, rate: number) => Promise<[number, string]>;

/** `host:port` of a Redis URL (validated by the configuration). */
export function redisTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}

/** Whether a Redis error says the credentials are wrong (a configuration error, not an outage). */
export function isRedisAuthError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message);
}

const describe = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

export class RedisBucketStore implements BucketStore {
  readonly #redis: Redis;
  readonly #local: TokenBucketStore;
  readonly #log: BucketLog;
  readonly #target: string;
  #state: RedisBucketsStatus['state'] = 'local';
  #since = new Date().toISOString();
  #reason: string | undefined = 'not connected yet';
  #closed = false;
  /** While local: when a take may try Redis again. */
  #retryAt = 0;

  private constructor(url: string, log: BucketLog) {
    this.#target = redisTarget(url);
    this.#log = log;
    this.#local = new TokenBucketStore();
    this.#redis = new Redis(url, {
      lazyConnect: true,
      // Fail fast instead of queueing while disconnected: a request never waits for Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: START_TIMEOUT_MS,
      // Keep trying, at most every two seconds, for as long as the server runs.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
    this.#redis.defineCommand('factoryTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    // Without a listener ioredis reports every failed reconnect on the console; the state
    // change below logs an outage once.
    this.#redis.on('error', (error: unknown) => this.#down(describe(error)));
    this.#redis.on('close', () => this.#down('connection closed'));
    this.#redis.on('ready', () => this.#up());
  }

  /**
   * Connects (waiting up to {@link START_TIMEOUT_MS}); serves with local buckets when Redis
   * is unreachable. Wrong credentials are a configuration error ({@link ConfigError}
   * naming `FACTORY_REDIS_URL`): they would not heal by waiting.
   */
  static async connect(url: string, log: BucketLog): Promise<RedisBucketStore> {
    const store = new RedisBucketStore(url, log);
    const first = new Promise<unknown>((resolve) => {
      store.#redis.once('ready', () => resolve(undefined));
      store.#redis.once('error', resolve);
    });
    store.#redis.connect().catch(() => undefined);
    const timeout = new Promise<unknown>((resolve) =>
      setTimeout(() => resolve(new Error('no answer')), START_TIMEOUT_MS).unref(),
    );
    const error = await Promise.race([first, timeout]);
    if (error !== undefined && isRedisAuthError(error)) {
      store.#closed = true;
      store.#redis.disconnect();
      throw new ConfigError(
        'FACTORY_REDIS_URL',
        `Redis at ${store.#target} refused the credentials (${describe(error)})`,
      );
    }
    if (store.#state === 'local') {
      store.#reason = error === undefined ? store.#reason : describe(error);
      log.warn(
        { redis: store.#target, reason: store.#reason },
        'rate limits: Redis is unreachable, using per-process buckets until it answers',
      );
    }
    return store;
  }

  status(): RedisBucketsStatus {
    return { state: this.#state, target: this.#target, since: this.#since, reason: this.#reason };
  }

  async take(key: string, limits: BucketLimits): Promise<TakeResult> {
    // While local with the connection still up (takes timed out: a stalled server), one
    // take a second tries Redis again; a reconnect ('ready') ends an outage by itself.
    const tryRedis =
      this.#redis.status === 'ready' && (this.#state === 'shared' || Date.now() >= this.#retryAt);
    if (tryRedis) {
      if (this.#state === 'local') this.#retryAt = Date.now() + RETRY_MS;
      try {
        const command = (this.#redis as unknown as { factoryTakeToken: TakeCommand }).factoryTakeToken;
        const [allowed, tokens] = await command.call(
          this.#redis,
          `${KEY_PREFIX}${limits.capacity}:${limits.refillPerSecond}:${key}`,
          limits.capacity,
          limits.refillPerSecond,
        );
        this.#up();
        return takeResult(allowed === 1, Number(tokens), limits);
      } catch (error) {
        this.#down(describe(error));
      }
    }
    return this.#local.take(key, limits);
  }

  /** Local buckets only: the shared keys name their limits, so new limits start full anyway. */
  clear(): void {
    this.#local.clear();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #down(reason: string): void {
    if (this.#closed) return;
    this.#retryAt = Date.now() + RETRY_MS;
    if (this.#state === 'shared') {
      this.#state = 'local';
      this.#since = new Date().toISOString();
      this.#reason = reason;
      this.#log.warn(
        { redis: this.#target, reason },
        'rate limits: Redis is unreachable, using per-process buckets until it answers',
      );
    }
  }

  #up(): void {
    if (this.#closed || this.#state === 'shared') return;
    const wasDown = this.#reason !== 'not connected yet';
    this.#state = 'shared';
    this.#since = new Date().toISOString();
    this.#reason = undefined;
    if (wasDown) this.#log.info({ redis: this.#target }, 'rate limits: Redis answers again, buckets shared');
  }
}

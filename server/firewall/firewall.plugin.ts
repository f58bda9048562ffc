/**
 * The firewall and rate limits, as one `onRequest` hook registered after request id,
 * security headers, host and CORS checks and before authentication (app.ts): a
 * denied client is refused before any credential is looked at, and a client over its
 * limit costs no password hash.
 *
 * Trust boundary: the client address is `request.ip`, which Fastify takes from the
 * socket, or from `X-Forwarded-For` only when the socket peer is one of
 * `FACTORY_TRUSTED_PROXIES` (Fastify's `trustProxy`, set by buildApp) — a client
 * cannot pick its own address.
 *
 * Why a hook of ours and not @fastify/rate-limit: its store contract reports one
 * counter and one TTL per key and derives both `Retry-After` and `X-RateLimit-Reset`
 * from that TTL (a fixed window). A token bucket has two different times — when the
 * next token exists and when the bucket is full — and our tiers are chosen per request
 * from the route and the credentials presented, next to the firewall decision and the
 * blocks log. The bucket itself is ~40 lines (token-bucket.ts).
 *
 * Settings: `FACTORY_FIREWALL_ENFORCE=1` turns on default-deny (only allow-listed and
 * loopback clients). Tiers are edited at `/api/v1/firewall/limits`. `FACTORY_REDIS_URL`
 * puts the buckets in Redis, shared by every instance (redis-buckets.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { z } from 'zod';
import { BlockReason, RateLimitTier } from '../../shared/common/api/firewall.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { SESSION_COOKIE } from '../auth/auth.hook.ts';
import { ConfigError } from '../config.ts';
import { sendError } from '../errors.ts';
import { FirewallService, tryClientAddress } from './firewall.service.ts';
import type { ClientAddress } from './ip-cidr.ts';
import { FirewallStore } from './firewall.store.ts';
import { RedisBucketStore } from './redis-buckets.ts';
import type { TakeResult } from './token-bucket.ts';

declare module 'fastify' {
  interface FastifyInstance {
    firewall: FirewallService;
  }
  interface FastifyContextConfig {
    /** The route's rate-limit tier; `exempt` for health probes. Default: from the route and credentials. */
    rateLimitTier?: RateLimitTier | 'exempt';
  }
}

/** Routes never rate-limited: orchestrators probe them constantly. */
const EXEMPT_ROUTES = new Set(['/health', '/ready']);
/** Expensive routes that fall in the heavy tier without declaring it (sign-in, unlock). */
const HEAVY_ROUTES = [/^\/api\/v1\/auth\/login$/, /\/unlock$/, /\/export$/];

const envSchema = z.object({
  FACTORY_FIREWALL_ENFORCE: z
    .enum(['', '0', '1', 'true', 'false', 'on', 'off', 'yes', 'no'], {
      message: 'expected 1/0, true/false, on/off or yes/no',
    })
    .default('0')
    .transform((value) => ['1', 'true', 'on', 'yes'].includes(value)),
});

/** Firewall settings from the environment; throws ConfigError naming the variable. */
export function loadFirewallConfig(env: Record<string, string | undefined> = process.env): {
  enforce: boolean;
} {
  const value = env['FACTORY_FIREWALL_ENFORCE'];
  const parsed = envSchema.safeParse(
    value === undefined ? {} : { FACTORY_FIREWALL_ENFORCE: value.trim().toLowerCase() },
  );
  if (!parsed.success)
    throw new ConfigError('FACTORY_FIREWALL_ENFORCE', parsed.error.issues[0]?.message ?? 'invalid');
  return { enforce: parsed.data.FACTORY_FIREWALL_ENFORCE };
}

function presentsCredentials(request: FastifyRequest): boolean {
  const { headers } = request;
  return (
    typeof headers.authorization === 'string' ||
    typeof headers['x-api-key'] === 'string' ||
    (typeof headers.cookie === 'string' && headers.cookie.includes(`${SESSION_COOKIE}=`))
  );
}

/** A route's tier when the route alone decides it; null when the credentials presented decide. */
function routeTier(
  url: string | undefined,
  declared: RateLimitTier | 'exempt' | undefined,
): RateLimitTier | 'exempt' | null {
  if (declared !== undefined) return declared;
  if (url !== undefined && EXEMPT_ROUTES.has(url)) return 'exempt';
  if (url !== undefined && HEAVY_ROUTES.some((pattern) => pattern.test(url))) return RateLimitTier.Heavy;
  return null;
}

/** Each route's own tier, worked out on its first request (a route's config object lives as long as the app). */
const routeTiers = new WeakMap<object, RateLimitTier | 'exempt' | null>();

function tierOf(request: FastifyRequest): RateLimitTier | 'exempt' {
  const config = request.routeOptions.config;
  let tier = routeTiers.get(config);
  if (tier === undefined) {
    tier = routeTier(config.url, config.rateLimitTier);
    routeTiers.set(config, tier);
  }
  if (tier !== null) return tier;
  // Credentials are not verified yet (that is the next hook): a bogus header only buys
  // the authenticated tier's budget of fast 401s, and sign-in itself is always heavy.
  return presentsCredentials(request) ? RateLimitTier.Authenticated : RateLimitTier.Public;
}

async function firewallPluginImpl(app: FastifyInstance): Promise<void> {
  const { enforce } = loadFirewallConfig();
  const shared = app.config.redisUrl
    ? await RedisBucketStore.connect(app.config.redisUrl, app.log)
    : undefined;
  if (shared) app.addHook('onClose', async () => shared.close());
  const firewall = new FirewallService({
    store: new FirewallStore(app.db),
    audit: app.audit,
    enforce,
    ...(shared ? { buckets: shared } : {}),
  });
  await firewall.start((error) => app.log.error({ err: error }, 'firewall: reloading rules failed'));
  app.decorate('firewall', firewall);
  app.addHook('onClose', async () => firewall.stop());

  const refuse = (request: FastifyRequest, reply: FastifyReply) =>
    sendError(request, reply, ErrorCode.FirewallDenied, 'requests from your address are not allowed');
  const applyTake = (
    request: FastifyRequest,
    reply: FastifyReply,
    client: ClientAddress,
    tier: RateLimitTier,
    taken: TakeResult,
    done: HookHandlerDoneFunction,
  ): void => {
    reply.header('x-ratelimit-limit', String(taken.limit));
    reply.header('x-ratelimit-remaining', String(taken.remaining));
    reply.header('x-ratelimit-reset', String(taken.resetSeconds));
    if (taken.allowed) {
      done();
      return;
    }
    reply.header('retry-after', String(taken.retryAfterSeconds));
    firewall.recordBlock(client.text, BlockReason.RateLimited, null, tier);
    sendError(
      request,
      reply,
      ErrorCode.RateLimited,
      `too many requests: retry in ${taken.retryAfterSeconds} s`,
    );
  };

  // A callback hook, not an async one: with the buckets in this process nothing here
  // waits, and a promise per request is a measurable share of it (docs/SERVER.md §Performance).
  app.addHook('onRequest', (request, reply, done) => {
    const client = tryClientAddress(request.ip);
    if (client) {
      const decision = firewall.decide(client);
      if (!decision.allowed) {
        const ruleId = decision.reason === 'deny_rule' ? decision.ruleId : null;
        firewall.recordBlock(client.text, decision.reason, ruleId, null);
        request.log.warn({ ip: client.text, reason: decision.reason, rule_id: ruleId }, 'firewall: refused');
        refuse(request, reply);
        return;
      }
    } else if (enforce) {
      refuse(request, reply);
      return;
    }
    const tier = tierOf(request);
    if (tier === 'exempt' || !client) {
      done();
      return;
    }
    const taken = firewall.take(client, tier);
    if (taken instanceof Promise) {
      taken.then((result) => applyTake(request, reply, client, tier, result, done), done);
    } else {
      applyTake(request, reply, client, tier, taken, done);
    }
  });
}

// Fastify's documented "skip-override" marker (what fastify-plugin sets): the hook and
// decorator apply to the whole app, not only inside this plugin's scope.
Object.assign(firewallPluginImpl, { [Symbol.for('skip-override')]: true });

/** Register with `await app.register(firewallPlugin)` after CORS and before the auth hook. */
export const firewallPlugin = firewallPluginImpl;

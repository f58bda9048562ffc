/** `GET /api/v1/status` (viewer and up), `/health` and `/ready` (public, for orchestrators). */
import type { FastifyInstance } from 'fastify';
import { Permission } from '../../shared/common/roles.ts';
import {
  ServerMode,
  type PostureItem,
  type ReadyResponse,
  type StatusResponse,
} from '../../shared/common/api/status.ts';
import { bucketStatusOf, computePosture, rateLimitStore, type PostureCheck } from './posture.ts';

export const SERVER_VERSION = '0.1.0';
/** Posture changes rarely (an operator's action); computing it costs file stats and a query. */
const POSTURE_CACHE_MS = 5_000;

export function statusRoutes(app: FastifyInstance, checks: readonly PostureCheck[]): void {
  const { config } = app;
  const mode = config.demoReadOnly
    ? ServerMode.Demo
    : config.prod
      ? ServerMode.Production
      : ServerMode.Development;
  let cached: { at: number; posture: Promise<PostureItem[]> } | undefined;
  const posture = (): Promise<PostureItem[]> => {
    const now = Date.now();
    if (!cached || now - cached.at > POSTURE_CACHE_MS) {
      const computing = computePosture(app, checks);
      cached = { at: now, posture: computing };
      // A failed computation is not cached.
      computing.catch(() => {
        if (cached?.posture === computing) cached = undefined;
      });
    }
    return cached.posture;
  };

  app.get('/health', { config: { permission: 'public' } }, async () => ({ status: 'ok' as const }));

  app.get('/ready', { config: { permission: 'public' } }, async (_request, reply) => {
    try {
      await app.db.selectFrom('server_state').select('key').limit(1).execute();
    } catch {
      return reply
        .code(503)
        .send({ error: { code: 'unavailable', message: 'database not ready', request_id: _request.id } });
    }
    // Without its CDN store this instance cannot unlock anything (the message has no credentials).
    const cdn = await app.cdn.check();
    if (!cdn.ok) {
      return reply.code(503).send({
        error: { code: 'unavailable', message: `CDN not ready: ${cdn.detail}`, request_id: _request.id },
      });
    }
    // Redis down is not a reason to leave the balancer: every instance would, at once.
    const buckets = bucketStatusOf(app);
    const down = buckets !== undefined && buckets.state === 'local';
    const ready: ReadyResponse = {
      status: down ? 'degraded' : 'ok',
      rate_limits: buckets?.state ?? 'local',
      warnings: down ? [rateLimitStore(app).detail] : [],
    };
    return ready;
  });

  app.get(
    '/api/v1/status',
    { config: { permission: Permission.StatusRead } },
    async (): Promise<StatusResponse> => ({
      mode,
      debug: config.debug,
      public_demo: config.demoReadOnly,
      version: SERVER_VERSION,
      uptime_s: Math.floor((Date.now() - app.startedAt) / 1000),
      tls: config.tls,
      cert_fingerprint256: app.tlsIdentity?.fingerprint256 ?? null,
      posture: [...(await posture()), rateLimitStore(app)],
    }),
  );
}

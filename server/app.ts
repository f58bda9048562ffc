/**
 * `buildApp(options)`: the Factory API as a Fastify instance that never listens
 * (docs/ARCHITECTURE.md §The Factory API); `serve.ts` listens, tests use `inject()`.
 *
 * Request path, in order (Fastify hooks):
 *   request id → security headers → trusted hosts → CORS → firewall
 *   → authorisation gate (permission, demo mode, credentials, CSRF) → body limit/parse → route.
 * Every route declares `config.permission`; registering one without it fails at start.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import pino from 'pino';
import { hkdfSha256 } from '../shared/node/crypto/kdf.ts';
import type { ServerConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { loadServerKeys } from './secrets/server-keys.ts';
import { TLS_SERVER_OPTIONS, loadTlsIdentity, type TlsIdentity } from './secrets/tls.ts';
import { withTransactions, type AuditSink } from './audit-sink.ts';
import { createAuditService } from './audit/audit.plugin.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { firewallPlugin } from './firewall/firewall.plugin.ts';
import { firewallRoutes } from './firewall/firewall.routes.ts';
import { createServices } from './services.ts';
import { installErrorHandlers } from './errors.ts';
import { requestIdOf } from './http/request-id.ts';
import { lazyRequestLogger } from './http/lazy-request-logger.ts';
import { frontDoor } from './http/front-door.ts';
import { clientErrorAnswer } from './http/security-headers.ts';
import { corsPolicy } from './http/cors.ts';
import { refuseIllFormedText } from './http/well-formed.ts';
import { CSRF_HEADER, installAuthHook } from './auth/auth.hook.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { createIdentity } from './auth/mfa/identity.ts';
import { mfaRoutes } from './auth/mfa/mfa.routes.ts';
import { oidcRoutes } from './auth/oidc/oidc.routes.ts';
import { installIdentityGate } from './auth/mfa/step-up.ts';
import { ensureBootstrapAdmin, type BootstrapOutcome } from './auth/bootstrap.ts';
import { usersRoutes } from './users/users.routes.ts';
import { apiKeysRoutes } from './api-keys/api-keys.routes.ts';
import { statusRoutes } from './status/status.routes.ts';
import { resourcesPlugin } from './resources/resources.plugin.ts';
import { openCdnStore } from './cdn/open-cdn-store.ts';
import type { PostureCheck } from './status/posture.ts';
import { Metrics, metricsPlugin } from './metrics/metrics.ts';
import { AccountEvents } from './auth/account-events.ts';
import { DemoRefusals } from './demo/demo-refusals.ts';
import type { RouteEntry } from './types.ts';
import './types.ts';

export interface BuildAppOptions {
  config: ServerConfig;
  /** The audit sink; default: the durable audit service when installed, else a logging sink. */
  audit?: AuditSink | ((app: FastifyInstance) => AuditSink | Promise<AuditSink>);
  /** Logger: `false` for none, or pino options/instance. Default: JSON at `config.logLevel`. */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  /** Prompts the operator for the first admin's password (an interactive `serve`). */
  bootstrapPrompt?: () => Promise<string>;
  /** The first-run password in its file need not be changed first (the console's embedded factory). */
  bootstrapKeepPassword?: boolean;
  /** Extra posture items (e.g. from plugins registered by the caller). */
  postureChecks?: PostureCheck[];
  /**
   * Plugins registered after the built-in routes, before the app is ready (other areas'
   * route plugins, test routes). Their routes must declare `config.permission` too.
   */
  plugins?: Array<(app: FastifyInstance) => void | Promise<void>>;
}

/** Log redaction: credentials never reach a log line. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  `req.headers["${CSRF_HEADER}"]`,
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.access_token',
  '*.refresh_token',
  '*.key',
];

/**
 * A request in a log line: method, path and id. The query string stays out: it can
 * carry a signed download URL's signature (`/cdn/…?sig=`) or a search term.
 */
const LOG_SERIALIZERS = {
  req: (request: { method?: string; url?: string; id?: string }) => ({
    method: request.method,
    path: String(request.url ?? '').split('?')[0],
    id: request.id,
  }),
};

function loggerOptions(options: BuildAppOptions): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const logger = options.logger;
  if (logger !== undefined && logger !== null && typeof logger === 'object' && 'child' in logger) {
    return { loggerInstance: logger as FastifyServerOptions['loggerInstance'] };
  }
  if (logger === false) return { logger: false };
  if (typeof logger === 'object' && logger !== null) {
    return {
      logger: {
        level: options.config.logLevel,
        redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
        serializers: LOG_SERIALIZERS,
        ...logger,
      },
    };
  }
  // JSON lines on stdout, written asynchronously (lines queued during a write go out
  // together), so logging does not cost a system call per line under load.
  return {
    loggerInstance: pino(
      {
        level: options.config.logLevel,
        redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
        serializers: LOG_SERIALIZERS,
      },
      pino.destination({ dest: 1, sync: false }),
    ) as unknown as FastifyServerOptions['loggerInstance'],
  };
}

/** The outcome of the first-run bootstrap of the last built app (for `serve` to print). */
export interface BuiltApp {
  app: FastifyInstance;
  bootstrap: BootstrapOutcome;
}

/** Builds the app: opens storage, loads keys, bootstraps, registers everything. Never listens. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  return (await buildAppWithBootstrap(options)).app;
}

export async function buildAppWithBootstrap(options: BuildAppOptions): Promise<BuiltApp> {
  const { config } = options;
  const tlsIdentity: TlsIdentity | undefined =
    config.tls === 'on'
      ? await loadTlsIdentity({
          dataDir: config.dataDir,
          certFile: config.tlsCertFile,
          keyFile: config.tlsKeyFile,
          host: config.host,
        })
      : undefined;
  const trustProxy = config.trustedProxies.length > 0 ? config.trustedProxies : false;
  const app = Fastify({
    ...loggerOptions(options),
    ...(tlsIdentity
      ? { https: { ...TLS_SERVER_OPTIONS, key: tlsIdentity.key, cert: tlsIdentity.cert } }
      : {}),
    genReqId: requestIdOf,
    childLoggerFactory: lazyRequestLogger,
    clientErrorHandler: clientErrorAnswer({ hsts: config.tls !== 'off' }),
    bodyLimit: config.maxBodyBytes,
    trustProxy,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 75_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // One access-log line per request (below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  // The access line: one per request, with the request id, method, route pattern, status
  // and time — fixed fields that cannot hold a credential (the route pattern, not the raw
  // URL: query strings stay out of the logs). It goes through a child logger made once and
  // without the `*.password`-style wildcard redaction, which would otherwise run over each
  // of its fields on every request for nothing (docs/SERVER.md §Performance). Every other
  // line, including any a request's own `request.log` writes, is redacted as before.
  const accessLog = app.log.child({}, { redact: [] });
  app.addHook('onResponse', function accessLine(request, reply, done) {
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.config.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  // Every route must say who may call it; collect the table for the matrix test.
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // CORS preflight (`OPTIONS *` from @fastify/cors) carries no credentials by definition.
    if (route.url === '*' && methods.every((method) => method === 'OPTIONS')) {
      route.config = { ...route.config, permission: 'public' };
    }
    const permission = route.config?.permission;
    if (permission === undefined)
      throw new Error(`route ${methods.join(',')} ${route.url} declares no config.permission`);
    for (const method of methods) {
      routeTable.push({
        method,
        url: route.url,
        permission,
        demoAllowed: route.config?.demoAllowed === true,
      });
    }
  });

  try {
    const db = await openDatabase(config.dataDir, config.databaseUrl);
    app.decorate('db', db);
    app.addHook('onClose', async () => db.destroy());
    app.decorate('config', config);
    app.decorate('startedAt', Date.now());
    app.decorate('tlsIdentity', tlsIdentity);
    app.decorate(
      'keys',
      await loadServerKeys(config.dataDir, (file) =>
        app.log.warn({ file }, 'secret file was readable by others: tightened to 0600'),
      ),
    );
    const cdn = await openCdnStore(config.cdn, config.dataDir);
    app.decorate('cdn', cdn);
    app.addHook('onClose', async () => cdn.close?.());
    app.decorate('metrics', new Metrics());
    app.decorate('accountEvents', new AccountEvents());
    const audit =
      typeof options.audit === 'function'
        ? await options.audit(app)
        : (options.audit ?? (await createAuditService(app)));
    app.decorate('audit', withTransactions(audit, db));
    const demoRefusals = config.demoReadOnly
      ? new DemoRefusals(
          app.audit,
          app.metrics.counter('factory_demo_refusals_total', 'State changes refused by a public demo.'),
        )
      : undefined;
    app.decorate('demoRefusals', demoRefusals);
    // Registered after the audit log's onClose, so it runs first: the last aggregate is written.
    if (demoRefusals) app.addHook('onClose', async () => demoRefusals.close());
    app.decorate('services', await createServices(db, app.keys.jwt, config.scryptLog2N));
    app.decorate('identity', createIdentity(db, app.keys.master, config.identity));

    const bootstrap = await ensureBootstrapAdmin({
      db,
      dataDir: config.dataDir,
      email: config.bootstrapEmail,
      devPassword: config.devBootstrapPassword,
      prompt: options.bootstrapPrompt,
      keepPassword: options.bootstrapKeepPassword === true,
      scryptLog2N: config.scryptLog2N,
    });
    if (bootstrap.created) {
      app.log.warn(
        { email: bootstrap.email, source: bootstrap.source, file: bootstrap.file },
        bootstrap.file
          ? `first-run admin created: its password is in ${bootstrap.file} (read it once, sign in, change it, delete the file)`
          : 'first-run admin created',
      );
    }

    installErrorHandlers(app, config.debug);
    frontDoor(app, { hsts: config.tls !== 'off', trustedHosts: config.trustedHosts });
    await corsPolicy(app, config.corsOrigins);
    await app.register(cookie, { hook: false });
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieOpts: {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.tls !== 'off',
        signed: false,
      },
      getToken: (request) => {
        const token = request.headers[CSRF_HEADER];
        return typeof token === 'string' ? token : '';
      },
      // Bound to the session: a token is an HMAC over its secret and the session id, so a
      // secret cookie tossed in from elsewhere with its token fits no one else's session.
      // The gate verifies the session cookie (and sets the principal) before this runs.
      getUserInfo: (request) => request.principal?.sessionId ?? '',
      csrfOpts: {
        hmacKey: hkdfSha256(app.keys.master, Buffer.alloc(0), 'FactoryConsole/csrf/session/v1', 32),
      },
    });
    // Firewall and rate limits: after request id, headers, host and CORS checks, before authentication.
    await app.register(firewallPlugin);
    installAuthHook(app);
    installIdentityGate(app);
    refuseIllFormedText(app);

    metricsPlugin(app);
    await app.register(async (scope) => statusRoutes(scope, options.postureChecks ?? []));
    await app.register(async (scope) => authRoutes(scope));
    await app.register(async (scope) => mfaRoutes(scope));
    await app.register(async (scope) => oidcRoutes(scope));
    await app.register(async (scope) => usersRoutes(scope));
    await app.register(async (scope) => apiKeysRoutes(scope));
    await app.register(async (scope) => auditRoutes(scope));
    await app.register(async (scope) => firewallRoutes(scope));
    await app.register(async (scope) => resourcesPlugin(scope));
    for (const plugin of options.plugins ?? []) await app.register(async (scope) => plugin(scope));
    await app.ready();
    return { app, bootstrap };
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Listening and graceful shutdown. `startServer` builds the app, applies the
 * production guard, listens and reports where; the caller (the `serve` command or
 * `startFactory`) decides what a signal does.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.ts';
import { buildAppWithBootstrap, type BuildAppOptions } from './app.ts';
import { ProdGuardError, accountRefusals, configRefusals } from './prod-guard.ts';
import type { BootstrapOutcome } from './auth/bootstrap.ts';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  certFingerprint256: string | undefined;
  bootstrap: BootstrapOutcome;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), closes storage. */
  close(): Promise<void>;
}

function urlOf(config: ServerConfig, port: number): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.tls === 'on' ? 'https' : 'http'}://${host}:${port}`;
}

export async function startServer(
  options: Omit<BuildAppOptions, 'config'> & { config: ServerConfig },
): Promise<RunningServer> {
  const { config } = options;
  const early = configRefusals(config);
  if (early.length > 0) throw new ProdGuardError(early);
  const { app, bootstrap } = await buildAppWithBootstrap(options);
  if (config.prod) {
    const reasons = await accountRefusals(app);
    if (reasons.length > 0) {
      await app.close();
      throw new ProdGuardError(reasons);
    }
  }
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = urlOf(config, port);
  const certFingerprint256 = app.tlsIdentity?.fingerprint256;
  app.log.info(
    {
      url,
      cert_fingerprint256: certFingerprint256 ?? null,
      mode: config.prod ? 'production' : config.demoReadOnly ? 'demo' : 'development',
    },
    'Factory API listening',
  );
  if (config.trustedHosts.length === 0 && !config.debug) {
    app.log.warn(
      'No FACTORY_TRUSTED_HOSTS configured: Host-header validation is disabled. Set it to your domain(s) in production.',
    );
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const timer = setTimeout(() => app.server.closeAllConnections?.(), config.shutdownGraceMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
    })();
    return closing;
  };
  return { app, url, certFingerprint256, bootstrap, close };
}

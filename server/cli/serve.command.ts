/** `factory-api serve`: start the Factory API from `FACTORY_*` variables; SIGTERM/SIGINT stop it gracefully. */
import { ConfigError, loadConfig } from '../config.ts';
import { DependencyUnreachableError } from '../db/database-errors.ts';
import { ProdGuardError } from '../prod-guard.ts';
import { startServer } from '../serve.ts';
import { ServerCliError, type ServerCliCommand } from './command.ts';
import { promptNewAdminPassword } from './prompt.ts';

export const serveCommand: ServerCliCommand = {
  name: 'serve',
  summary: 'start the Factory API (configured by FACTORY_* environment variables; see docs/SERVER.md)',
  async run(args) {
    if (args.length > 0)
      throw new ServerCliError(
        `serve takes no arguments (configure with FACTORY_* variables): ${args.join(' ')}`,
        2,
      );
    let config;
    try {
      config = loadConfig(process.env);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new ServerCliError(`invalid configuration: ${error.message}`, 2);
      throw error;
    }
    const interactive =
      process.stdin.isTTY === true &&
      process.stdout.isTTY === true &&
      config.devBootstrapPassword === undefined;
    let server;
    try {
      server = await startServer({
        config,
        ...(interactive ? { bootstrapPrompt: () => promptNewAdminPassword(config.bootstrapEmail) } : {}),
      });
    } catch (error) {
      if (error instanceof ProdGuardError) throw new ServerCliError(error.message, 3);
      // Found while starting (a refused database login, wrong Redis credentials, a missing
      // CDN bucket): exit 2; a database or bucket endpoint that does not answer: exit 3 (docs/DEPLOY.md §Start-up errors).
      if (error instanceof ConfigError)
        throw new ServerCliError(`invalid configuration: ${error.message}`, 2);
      if (error instanceof DependencyUnreachableError) throw new ServerCliError(error.message, 3);
      throw error;
    }
    // Handlers first, then the announcement: a supervisor may signal as soon as it reads it.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        server.app.log.info({ signal }, 'shutting down');
        void server.close().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.stderr.write(`Factory API listening on ${server.url}\n`);
    if (server.certFingerprint256)
      process.stderr.write(`TLS certificate SHA-256 fingerprint (pin it): ${server.certFingerprint256}\n`);
    if (server.bootstrap.created && server.bootstrap.file) {
      process.stderr.write(
        `First-run admin ${server.bootstrap.email}: password written to ${server.bootstrap.file} (mode 0600)\n`,
      );
    }
    await stopped;
    return 0;
  },
};

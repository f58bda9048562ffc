/**
 * `factory-api resources publish FILE --name NAME [--version V] [--email E]`: publishes
 * a file from the server host, with the server's `FACTORY_*` configuration. Refused in
 * demo mode.
 *
 * When the server is running, the file goes through its own `POST /api/v1/resources`
 * (signed in as `--email`, default the bootstrap admin, password from
 * `FACTORY_PASSWORD` or a prompt): the audit log has one writer, the server process,
 * and a second process appending to it would fork the chain. When it is not running,
 * the command publishes directly on the data directory (and audits there).
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import { buildApp } from '../app.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import { publishResource } from '../resources/resource-publisher.ts';
import { loadResourcesConfig } from '../resources/resources.config.ts';
import { resourcesDb } from '../resources/resources.tables.ts';
import { ServerCliError, type ServerCliCommand } from './command.ts';
import { isListening, promptPassword, publishOverHttp } from './publish-client.ts';

const USAGE = 'usage: factory-api resources publish FILE --name NAME [--version V]';

export const resourcesPublishCommand: ServerCliCommand = {
  name: 'resources publish',
  summary: 'seal, split and publish FILE as resource NAME (--name NAME [--version V])',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        version: { type: 'string', default: '1' },
        email: { type: 'string' },
      },
    });
    const file = positionals[0];
    if (positionals.length !== 1 || file === undefined || !values.name) throw new ServerCliError(USAGE, 2);
    let config;
    let limits;
    try {
      config = loadConfig(process.env);
      limits = loadResourcesConfig(process.env);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new ServerCliError(`invalid configuration: ${error.message}`, 2);
      throw error;
    }
    if (config.demoReadOnly)
      throw new ServerCliError('this server is in public demo mode: publishing is disabled', 3);
    const info = await fs.stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new ServerCliError(`${file}: not a readable file`, 2);
    if (await isListening(config)) {
      const email = values.email ?? config.bootstrapEmail;
      const password = process.env['FACTORY_PASSWORD'] || (await promptPassword(email));
      const body = await publishOverHttp(config, {
        file,
        size: info.size,
        name: values.name,
        version: values.version,
        email,
        password,
      });
      process.stdout.write(
        `Published ${values.name} version ${values.version}: ${body.resource.id} (${body.resource.plaintext_size} bytes, ` +
          `sha256 ${body.manifest.manifest.plaintext_sha256}) through the running server\n`,
      );
      return 0;
    }
    const app = await buildApp({ config, logger: false });
    try {
      const signed = await publishResource(
        {
          db: resourcesDb(app.db),
          cdn: app.cdn,
          signing: app.keys.signing,
          masterKey: app.keys.master,
          dataDir: config.dataDir,
          maxBytes: limits.maxResourceBytes,
          // The row and its audit entry commit together.
          commit: (insert, manifest) =>
            app.audit.transact(async (trx, append) => {
              await insert(resourcesDb(trx));
              append({
                type: AuditEventType.ResourcePublish,
                actor: 'server-cli',
                resource: `resource/${manifest.resource_id}`,
                details: {
                  name: values.name,
                  version: values.version,
                  plaintext_size: manifest.plaintext_size,
                },
              });
            }),
        },
        {
          source: createReadStream(file),
          name: values.name,
          version: values.version,
          publisherId: 'server-cli',
        },
      );
      process.stdout.write(
        `Published ${values.name} version ${values.version}: ${signed.manifest.resource_id} ` +
          `(${signed.manifest.plaintext_size} bytes, sha256 ${signed.manifest.plaintext_sha256})\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof ApiError) throw new ServerCliError(error.message, 1);
      throw error;
    } finally {
      await app.close();
    }
  },
};

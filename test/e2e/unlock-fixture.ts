/**
 * A real Factory API (TLS on, self-signed certificate, loopback, temporary data
 * directory) with a publisher and an operator, for the unlock tests. Helpers publish
 * through the real route and write fingerprint override files (FACTORY_FINGERPRINT_FILE).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildAppOptions } from '../../server/app.ts';
import type { ServerConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/serve.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, testConfig, userWithRole } from '../server/helpers.ts';

export interface UnlockFixture {
  server: RunningServer;
  root: string;
  publisher: { email: string; password: string; token: string };
  operator: { email: string; password: string; token: string };
  publish(
    body: Buffer,
    name: string,
    version?: string,
  ): Promise<{ id: string; manifest: Record<string, unknown> }>;
  /** Writes a fingerprint file and returns its path. */
  fingerprint(name: string, components: Record<string, string>): Promise<string>;
  /** A fresh console home. */
  home(name: string): Promise<string>;
  close(): Promise<void>;
}

export const BASE_COMPONENTS = {
  cpu: 'Test CPU 3000',
  memory: '16 GiB',
  machine_id: 'a1b2c3d4e5',
  disk: 'SERIAL-0001',
};

export async function startUnlockFixture(
  options: {
    port?: number;
    dataDir?: string;
    /** Configuration overrides (e.g. the CDN on S3). */
    config?: Partial<ServerConfig>;
    /** A logger instead of none (a test reading the log lines). */
    logger?: BuildAppOptions['logger'];
  } = {},
): Promise<UnlockFixture> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'unlock-e2e-'));
  const dataDir = options.dataDir ?? path.join(root, 'data');
  const server = await startServer({
    config: testConfig(dataDir, { tls: 'on', port: options.port ?? 0, ...options.config }),
    logger: options.logger ?? false,
  });
  const admin = await login(server.app, ADMIN_EMAIL, DEV_PASSWORD);
  const publisherSession = await userWithRole(server.app, admin, 'publisher');
  const operatorSession = await userWithRole(server.app, admin, 'operator');
  return {
    server,
    root,
    publisher: {
      email: publisherSession.user.email,
      password: publisherSession.password,
      token: publisherSession.access_token,
    },
    operator: {
      email: operatorSession.user.email,
      password: operatorSession.password,
      token: operatorSession.access_token,
    },
    async publish(body, name, version = '1') {
      const response = await server.app.inject({
        method: 'POST',
        url: `/api/v1/resources?name=${encodeURIComponent(name)}&version=${encodeURIComponent(version)}`,
        headers: { ...bearer(publisherSession.access_token), 'content-type': 'application/octet-stream' },
        payload: body,
      });
      if (response.statusCode !== 201)
        throw new Error(`publish ${name}: ${response.statusCode} ${response.body}`);
      const json = response.json() as {
        resource: { id: string };
        manifest: { manifest: Record<string, unknown> };
      };
      return { id: json.resource.id, manifest: json.manifest.manifest };
    },
    async fingerprint(name, components) {
      const file = path.join(root, `${name}.fingerprint.json`);
      await fs.writeFile(file, JSON.stringify({ components }));
      return file;
    },
    async home(name) {
      const dir = path.join(root, 'homes', name);
      await fs.mkdir(dir, { recursive: true });
      return dir;
    },
    async close() {
      await server.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * The one documented door to the Factory API for the console's embedded default
 * (docs/ARCHITECTURE.md §Areas and layers): `electron/core` starts a local server through this file
 * and nothing else of `server/`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBootstrapPassword } from './auth/bootstrap.ts';
import { defaultConfig, type ServerConfig } from './config.ts';
import { seedSampleData } from './demo/sample-data.ts';
import { startServer } from './serve.ts';

export interface StartFactoryOptions {
  /** Where the database, secrets and TLS certificate live (created 0700 if missing). */
  dataDir: string;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** 0 = a free port chosen by the OS (read it from `url`). Default 0. */
  port?: number;
  /** Default `on` (self-signed certificate under `dataDir/tls/`; pin `certFingerprint256`). */
  tls?: 'on' | 'off';
  /** Public demo mode (`FACTORY_DEMO_READONLY`): state changes refused with 403. */
  demo?: boolean;
  /** Development only: the first admin's password; otherwise it is written to `dataDir/secrets/bootstrap_admin.txt`. */
  devBootstrapPassword?: string;
  /** pino level; default `warn`. */
  logLevel?: string;
  /**
   * Seed sample data (a sample resource, firewall rules, pipeline audit entries) on
   * the first start of this data directory — the console's embedded demo.
   */
  sampleData?: boolean;
}

export interface RunningFactory {
  /** e.g. `https://127.0.0.1:43817` */
  url: string;
  /** `AB:CD:…` SHA-256 fingerprint of the TLS certificate (absent with `tls: 'off'`). */
  certFingerprint256?: string;
  /** Login name of the first-run administrator. */
  adminEmail: string;
  close(): Promise<void>;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Starts a Factory API and resolves once it listens. */
export async function startFactory(options: StartFactoryOptions): Promise<RunningFactory> {
  const logLevel = (LOG_LEVELS as readonly string[]).includes(options.logLevel ?? '')
    ? (options.logLevel as ServerConfig['logLevel'])
    : 'warn';
  if (options.sampleData === true && !existsSync(sampleMarker(options.dataDir))) {
    await seedOnce(options, logLevel);
  }
  const config = defaultConfig({
    dataDir: options.dataDir,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    tls: options.tls ?? 'on',
    demoReadOnly: options.demo === true,
    devBootstrapPassword: options.devBootstrapPassword,
    logLevel,
  });
  // The console signs in with the first-run password it reads from this owner-only folder:
  // a local, single-operator factory, so that password need not be changed first.
  const server = await startServer({ config, bootstrapKeepPassword: true });
  return {
    url: server.url,
    ...(server.certFingerprint256 !== undefined ? { certFingerprint256: server.certFingerprint256 } : {}),
    adminEmail: config.bootstrapEmail,
    close: server.close,
  };
}

function sampleMarker(dataDir: string): string {
  return join(dataDir, 'sample-data.done');
}

/**
 * First start with sample data: a writable factory on plain HTTP (loopback, port 0,
 * this process only) is seeded through its API, closed, and marked done, so the
 * caller's start (often read-only demo) finds the data in place.
 */
async function seedOnce(options: StartFactoryOptions, logLevel: ServerConfig['logLevel']): Promise<void> {
  const config = defaultConfig({
    dataDir: options.dataDir,
    host: '127.0.0.1',
    port: 0,
    tls: 'off',
    demoReadOnly: false,
    devBootstrapPassword: options.devBootstrapPassword,
    logLevel,
  });
  const server = await startServer({ config, bootstrapKeepPassword: true });
  try {
    const password = options.devBootstrapPassword ?? (await readBootstrapPassword(options.dataDir));
    if (password === undefined) {
      throw new Error('cannot seed sample data: no bootstrap password file (the admin already changed it?)');
    }
    await seedSampleData(server.url, config.bootstrapEmail, password);
  } finally {
    await server.close();
  }
  await writeFile(sampleMarker(options.dataDir), `${new Date().toISOString()}\n`, { mode: 0o600 });
}

/** The first-run admin password a factory left in its data folder (for the embedded console). */
export { readBootstrapPassword };

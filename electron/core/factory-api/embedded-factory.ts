/**
 * The embedded default (docs/ARCHITECTURE.md §The embedded default): with no server URL configured, the console runs
 * its own Factory API on 127.0.0.1, in demo mode, with its data under the console's
 * data folder. It reaches the server only through the one documented door,
 * `server/factory.ts` `startFactory()` (docs/ARCHITECTURE.md §Areas and layers).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../../shared/node/atomic-file.ts';
import type { RunningFactory, StartFactoryOptions } from '../../../server/factory.ts';

/** What the embedded factory tells the console once it listens. */
export interface EmbeddedFactory {
  url: string;
  adminEmail: string;
  certFingerprint256: string | null;
  /** Where its database, CDN store and secrets live. */
  dataDir: string;
  /**
   * The first-run admin password the server wrote to its own data folder (0600), while
   * it is still there. The console reads it to show the embedded factory's status
   * without asking the operator. Secret: stays in the main process, never logged.
   */
  readAdminPassword(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The documented door of server/factory.ts. */
export type StartFactory = (options: StartFactoryOptions) => Promise<RunningFactory>;

/**
 * Loaded on first use: a console pointed at a remote server never loads the server's
 * code (Fastify, SQLite…) at all.
 */
async function loadServerStartFactory(): Promise<StartFactory> {
  const module = await import('../../../server/factory.ts');
  return module.startFactory;
}

export interface EmbeddedFactoryOptions {
  /** The console's data folder; the factory gets `<consoleDataDir>/factory`. */
  consoleDataDir: string;
  logLevel?: string;
  /** Injected in tests; defaults to the server's own `startFactory`. */
  startFactory?: StartFactory;
}

/** Where the embedded factory's address is remembered between starts. */
const ADDRESS_FILE = 'embedded-address.json';
const addressSchema = z.strictObject({ port: z.number().int().min(1024).max(65_535) });

/** The port the embedded factory listened on last time, if it was recorded and is sane. */
async function rememberedPort(dataDir: string): Promise<number | undefined> {
  try {
    return addressSchema.parse(JSON.parse(await readFile(join(dataDir, ADDRESS_FILE), 'utf8'))).port;
  } catch {
    return undefined;
  }
}

function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/**
 * Starts a local demo Factory API on loopback, on the port it had last time (so the
 * address an activation, a bookmark or a running CLI knows stays valid across
 * restarts), or on a free one when that port is taken or none was recorded.
 */
export async function startEmbeddedFactory(options: EmbeddedFactoryOptions): Promise<EmbeddedFactory> {
  const dataDir = join(options.consoleDataDir, 'factory');
  // Owner-only: the folder holds the server's secrets and its bootstrap password file.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const start = options.startFactory ?? (await loadServerStartFactory());
  const remembered = await rememberedPort(dataDir);
  const startOn = (port: number) =>
    start({
      dataDir,
      // Loopback only: the embedded factory serves this workstation, never the network.
      host: '127.0.0.1',
      port,
      demo: true,
      // First start: a sample resource, firewall rules and pipeline audit entries to explore.
      sampleData: true,
      // Plain HTTP on loopback for now: the API client has no certificate pinning yet
      // (when it does, switch to 'on' and pin certFingerprint256).
      tls: 'off',
      logLevel: options.logLevel ?? 'error',
    });
  let factory: RunningFactory;
  try {
    factory = await startOn(remembered ?? 0);
  } catch (error) {
    // Taken by another program meanwhile: a free port (an activation follows the server's key there).
    if (remembered === undefined || !isAddressInUse(error)) throw error;
    factory = await startOn(0);
  }
  const port = Number(new URL(factory.url).port);
  if (port !== remembered)
    await writeFileAtomic(join(dataDir, ADDRESS_FILE), `${JSON.stringify({ port })}\n`).catch(
      () => undefined,
    );
  return {
    url: factory.url,
    adminEmail: factory.adminEmail,
    certFingerprint256: factory.certFingerprint256 ?? null,
    dataDir,
    // The server's own reader of its bootstrap file (loaded lazily, like startFactory).
    readAdminPassword: async () =>
      (await import('../../../server/factory.ts')).readBootstrapPassword(dataDir),
    close: () => factory.close(),
  };
}

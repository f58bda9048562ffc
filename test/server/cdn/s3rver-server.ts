/**
 * A real, independent S3 implementation (the `s3rver` package) on loopback with a
 * temporary directory, for the S3 CDN tests: started and stopped by the test. Each
 * server gets its own access key pair with a random secret, so a test can search logs,
 * responses and the audit log for that secret.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { S3CdnConfig } from '../../../server/cdn/cdn.config.ts';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
interface AccountModule {
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void };
}

// s3rver ships no type declarations: load it through require with the shape used here.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverClass;
const accounts = require('s3rver/lib/models/account.js') as AccountModule;

export interface S3rverServer {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The CDN configuration of a Factory API using this server. */
  config(overrides?: Partial<S3CdnConfig>): S3CdnConfig;
  close(): Promise<void>;
}

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverServer> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const bucket = options.bucket ?? 'factory-cdn';
  const accessKeyId = `AKTEST${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = `secret-${randomBytes(18).toString('hex')}`;
  accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
    vhostBuckets: false,
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    config: (overrides = {}) => ({
      bucket,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      objectLockDays: 0,
      ...overrides,
    }),
    async close() {
      await server.close();
      accounts.DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * `factory-api serve` with the CDN on S3 (a real s3rver on loopback): a bucket that does
 * not exist stops it with one stderr line naming FACTORY_S3_BUCKET and exit 2; an
 * endpoint that does not answer, one line naming FACTORY_S3_ENDPOINT and exit 3; neither
 * line carries the secret key.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3rverServer } from '../cdn/s3rver-server.ts';

let s3: S3rverServer;
let dataDir: string;

beforeAll(async () => {
  s3 = await startS3rver();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'serve-s3-'));
});
afterAll(async () => {
  await s3?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function serve(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['server/cli.ts', 'serve'],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          FACTORY_DATA_DIR: dataDir,
          FACTORY_PORT: '0',
          FACTORY_TLS: 'off',
          FACTORY_LOG_LEVEL: 'silent',
          FACTORY_DEV_BOOTSTRAP_PASSWORD: 'correct horse battery staple',
          FACTORY_SCRYPT_LOG2N: '14',
          FACTORY_S3_FORCE_PATH_STYLE: '1',
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          ...env,
        },
        timeout: 60_000,
      },
      (error, _stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          // Node's own warning about its SQLite module is not the server's output.
          stderr: String(stderr)
            .split('\n')
            .filter((line) => !/^\(node:\d+\) ExperimentalWarning|^\(Use `node --trace-warnings/.test(line))
            .join('\n'),
        }),
    );
  });
}

describe('factory-api serve with FACTORY_S3_BUCKET', () => {
  it('exits 2 naming FACTORY_S3_BUCKET when the bucket does not exist', async () => {
    const result = await serve({ FACTORY_S3_BUCKET: 'no-such-bucket', FACTORY_S3_ENDPOINT: s3.endpoint });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /FACTORY_S3_BUCKET: bucket no-such-bucket at 127\.0\.0\.1:\d+ does not exist/,
    );
    expect(result.stderr).not.toContain(s3.secretAccessKey);
  });

  it('exits 2 naming AWS_ACCESS_KEY_ID when there are no credentials', async () => {
    const result = await serve({
      FACTORY_S3_BUCKET: s3.bucket,
      FACTORY_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      // The SDK's default chain must find nothing either: no shared config file.
      HOME: dataDir,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/AWS_ACCESS_KEY_ID: no credentials for bucket factory-cdn/);
  });

  it('exits 3 naming FACTORY_S3_ENDPOINT when nothing answers there', async () => {
    const result = await serve({ FACTORY_S3_BUCKET: s3.bucket, FACTORY_S3_ENDPOINT: 'http://127.0.0.1:9' });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /FACTORY_S3_ENDPOINT: bucket factory-cdn at 127\.0\.0\.1:9 does not answer/,
    );
    expect(result.stderr).not.toContain(s3.secretAccessKey);
  });
});

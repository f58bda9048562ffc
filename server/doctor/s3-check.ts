/**
 * `factory-api doctor`'s S3 check: when `FACTORY_S3_BUCKET` is set, the bucket answers a
 * `HeadBucket` with the configured endpoint, region, path style and the SDK's standard
 * credentials (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`). Read-only; the credentials
 * never reach the output. The CDN's S3 store (server/cdn) reads the same variables.
 */
import type { DoctorCheck } from './deployment-checks.ts';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);

export const s3BucketCheck: DoctorCheck = async (_config, env) => {
  const bucket = env['FACTORY_S3_BUCKET']?.trim();
  if (!bucket) return undefined;
  const endpoint = env['FACTORY_S3_ENDPOINT']?.trim() || undefined;
  const region = env['FACTORY_S3_REGION']?.trim() || 'us-east-1';
  const forcePathStyle = TRUE_WORDS.has((env['FACTORY_S3_FORCE_PATH_STYLE'] ?? '').trim().toLowerCase());
  let host: string;
  try {
    host = endpoint ? ` at ${new URL(endpoint).host}` : '';
  } catch {
    return { check: 's3', status: 'fail', detail: 'FACTORY_S3_ENDPOINT: expected an http(s):// URL' };
  }
  const where = `bucket ${bucket}${host} (${region})`;
  const { S3Client, HeadBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region,
    forcePathStyle,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(5_000) });
    return { check: 's3', status: 'ok', detail: `${where}: reachable` };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = error instanceof Error ? error.name : '';
    const why =
      name === 'CredentialsProviderError'
        ? 'has no credentials to use: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
        : status === 404
          ? 'does not exist'
          : status === 403
            ? 'refuses these credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)'
            : `unreachable (${(error instanceof Error ? error.name || error.message : String(error)).split('\n')[0]})`;
    return { check: 's3', status: 'fail', detail: `FACTORY_S3_BUCKET: ${where} ${why}` };
  } finally {
    client.destroy();
  }
};

/**
 * The unlock flow with the CDN on S3 (a real s3rver on loopback, its own access key
 * pair): publish streams the big part into the bucket, the CLI activates, unlocks from
 * the presigned URL to identical bytes, and cats offline after the server stopped. The
 * secret key reaches no response, no log line, no audit entry and no CLI output.
 * Then: a bucket that goes away turns `/ready` to 503 and the posture's cdn_store to a warning.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAuditTables } from '../../server/audit/audit.tables.ts';
import { resourcesDb } from '../../server/resources/resources.tables.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  publishResource,
  startTestApp,
} from '../server/helpers.ts';
import { startS3rver, type S3rverServer } from '../server/cdn/s3rver-server.ts';
import { BASE_COMPONENTS, startUnlockFixture, type UnlockFixture } from './unlock-fixture.ts';

const run = promisify(execFile);
const CLI = path.resolve('electron/core/shells/cli/index.ts');

let s3: S3rverServer;
let fixture: UnlockFixture;
let env: Record<string, string>;
const logLines: string[] = [];
/** Every byte any party showed us: responses, CLI output. */
const seen: string[] = [];
const original = randomBytes(3 * 1024 * 1024 + 555);

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 170_000,
    });
    seen.push(stdout.toString('latin1'), stderr.toString());
    return { code: 0, stdout, stderr: stderr.toString() };
  } catch (error) {
    const failed = error as { code?: number; stdout: Buffer; stderr: Buffer };
    seen.push(failed.stdout.toString('latin1'), failed.stderr.toString());
    return { code: failed.code ?? 1, stdout: failed.stdout, stderr: failed.stderr.toString() };
  }
}

beforeAll(async () => {
  s3 = await startS3rver();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  fixture = await startUnlockFixture({
    config: { cdn: { s3: s3.config(), urlTtlMs: 600_000 }, logLevel: 'trace' },
    logger: pino({ level: 'trace' }, sink),
  });
  env = {
    FACTORY_CONSOLE_HOME: await fixture.home('cli'),
    FACTORY_FINGERPRINT_FILE: await fixture.fingerprint('cli', BASE_COMPONENTS),
    FACTORY_PASSWORD: fixture.operator.password,
  };
});
afterAll(async () => {
  await fixture?.close();
  await s3?.close();
});

describe('unlock flow with the CDN on S3', () => {
  it('publishes into the bucket, unlocks from a presigned URL, cats offline; the secret key leaks nowhere', async () => {
    const { id } = await fixture.publish(original, 'firmware-s3', '1');
    const { app } = fixture.server;
    const row = await resourcesDb(app.db)
      .selectFrom('resources')
      .select('cdn_object')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(await app.cdn.size(row.cdn_object)).toBeGreaterThan(0);
    await expect(fs.readdir(path.join(app.config.dataDir, 'cdn'))).rejects.toThrow(); // nothing local

    const activated = await cli([
      'activate',
      '--server',
      fixture.server.url,
      '--email',
      fixture.operator.email,
      '--fingerprint',
      fixture.server.certFingerprint256!,
    ]);
    expect(activated.code, activated.stderr).toBe(0);

    // What the API hands out: a presigned URL of the bucket, with the key id, not the secret.
    const machine = JSON.parse(
      await fs.readFile(path.join(env.FACTORY_CONSOLE_HOME!, 'activation.json'), 'utf8'),
    ) as { machine_id: string };
    const renewed = await app.inject({
      method: 'POST',
      url: `/api/v1/resources/${id}/cdn-url`,
      headers: bearer(fixture.operator.token),
      payload: { machine_id: machine.machine_id },
    });
    seen.push(renewed.body);
    expect(renewed.statusCode, renewed.body).toBe(200);
    const { cdn_url: cdnUrl } = renewed.json() as { cdn_url: string };
    expect(cdnUrl.startsWith(`${s3.endpoint}/${s3.bucket}/${row.cdn_object}?`)).toBe(true);
    expect(cdnUrl).toContain(s3.accessKeyId);

    const out = path.join(fixture.root, 'firmware.bin');
    const unlocked = await cli(['unlock', 'firmware-s3', '--out', out]);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect((await fs.readFile(out)).equals(original)).toBe(true);

    const status = await app.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: bearer((await login(app, ADMIN_EMAIL, DEV_PASSWORD)).access_token),
    });
    seen.push(status.body);
    const posture = (status.json() as { posture: Array<{ id: string; ok: boolean; detail: string }> })
      .posture;
    expect(posture.find((item) => item.id === 'cdn_store')).toMatchObject({ ok: true });
    expect(posture.find((item) => item.id === 'cdn_object_lock')).toMatchObject({
      ok: true,
      detail: 'object lock off',
    });

    const audit = await withAuditTables(app.db).selectFrom('audit_entries').selectAll().execute();
    expect(audit.length).toBeGreaterThan(0);
    const auditText = JSON.stringify(audit);

    await fixture.server.close();
    const offline = await cli(['cat', id]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout.equals(original)).toBe(true);

    expect(logLines.length).toBeGreaterThan(10);
    for (const [where, text] of [
      ['log', logLines.join('')],
      ['responses and CLI output', seen.join('')],
      ['audit log', auditText],
    ] as const) {
      expect(text.includes(s3.secretAccessKey), `secret key in the ${where}`).toBe(false);
    }
  }, 120_000);
});

describe('a bucket that goes away while running', () => {
  it('turns /ready to 503 and the posture cdn_store to a warning', async () => {
    const gone = await startS3rver({ bucket: 'short-lived' });
    const test = await startTestApp({ cdn: { s3: gone.config(), urlTtlMs: 600_000 } });
    try {
      expect((await test.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
      await publishResource(test.app, admin, 'while-up', randomBytes(200_000));
      await gone.close();
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // past the store's health cache
      const ready = await test.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.message).toMatch(
        /^CDN not ready: bucket short-lived at 127\.0\.0\.1:\d+ does not answer/,
      );
      expect(ready.body).not.toContain(gone.secretAccessKey);
      const status = await test.app.inject({
        method: 'GET',
        url: '/api/v1/status',
        headers: bearer(admin.access_token),
      });
      const item = (
        status.json() as { posture: Array<{ id: string; ok: boolean; fix: string }> }
      ).posture.find((entry) => entry.id === 'cdn_store');
      expect(item).toMatchObject({ ok: false });
      expect(item?.fix).toContain('FACTORY_S3_ENDPOINT');
    } finally {
      await test.close();
    }
  });
});

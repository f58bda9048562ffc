/**
 * OpenSSL's command line as an independent implementation of the container's
 * chunk cipher: a chunk we seal decrypts with `openssl enc -d -aes-256-cbc`, and
 * bytes `openssl enc` encrypts open through our CBC layer.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTAINER_HEADER_BYTES,
  chunkRange,
  deriveContainerKeys,
  parseContainerHeader,
  sealContainerBuffer,
} from '../../../../shared/node/crypto/container.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { aesCbcDecrypt } from '../../../../shared/node/crypto/primitives.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-openssl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function openssl(args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

describe('AES-256-CBC against the openssl CLI', () => {
  it('a container chunk we sealed decrypts with `openssl enc -d` to the same bytes', async () => {
    const dek = randomBytes(32);
    const resourceId = 'res-openssl';
    const chunkSize = 4096;
    const plaintext = randomBytes(3 * chunkSize + 100);
    const container = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize });
    const header = parseContainerHeader(container);
    const { encKey } = deriveContainerKeys(dek, resourceId);
    expect(header.chunkCount).toBe(4);
    for (let index = 0; index < header.chunkCount; index++) {
      const { start, end } = chunkRange(header, index);
      expect(start).toBeGreaterThanOrEqual(CONTAINER_HEADER_BYTES);
      const chunk = container.subarray(start, end);
      const iv = chunk.subarray(0, 16);
      const file = join(dir, `chunk-${index}.bin`);
      await writeFile(file, chunk.subarray(16, chunk.length - 32));
      const out = openssl([
        'enc',
        '-d',
        '-aes-256-cbc',
        '-K',
        encKey.toString('hex'),
        '-iv',
        iv.toString('hex'),
        '-in',
        file,
      ]);
      expect(out.equals(plaintext.subarray(index * chunkSize, (index + 1) * chunkSize))).toBe(true);
    }
  });

  it.each([0, 1, 15, 16, 17, 1000, 65_537])(
    'opens what `openssl enc` encrypted (%i bytes) and rejects a damaged copy',
    async (size) => {
      const key = randomBytes(32);
      const iv = randomBytes(16);
      const plaintext = randomBytes(size);
      const input = join(dir, `plain-${size}.bin`);
      const output = join(dir, `cipher-${size}.bin`);
      await writeFile(input, plaintext);
      openssl([
        'enc',
        '-aes-256-cbc',
        '-K',
        key.toString('hex'),
        '-iv',
        iv.toString('hex'),
        '-in',
        input,
        '-out',
        output,
      ]);
      const ciphertext = await readFile(output);
      expect(ciphertext.length).toBe((Math.floor(size / 16) + 1) * 16);
      expect(aesCbcDecrypt(key, iv, ciphertext).equals(plaintext)).toBe(true);
      // Truncated by one block: either bad padding or a wrong length — the one error, or (rarely) wrong bytes.
      if (ciphertext.length > 16) {
        let opened: Buffer | undefined;
        try {
          opened = aesCbcDecrypt(key, iv, ciphertext.subarray(0, ciphertext.length - 16));
        } catch (error) {
          expect(error).toBeInstanceOf(IntegrityError);
        }
        if (opened !== undefined) expect(opened.equals(plaintext)).toBe(false);
      }
      expect(() => aesCbcDecrypt(key, iv, ciphertext.subarray(0, ciphertext.length - 1))).toThrow(
        IntegrityError,
      );
    },
  );
});

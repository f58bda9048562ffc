/**
 * The machine key file (`<console home>/machine/machine-key.json`): versioned JSON,
 * validated with zod on every read, written atomically (temp file 0600 + rename).
 *
 * What a stolen key file reveals, and what it does not:
 * - It reveals the format version, the scrypt parameters, the install salt (random,
 *   not secret), the machine's public key (the server has it too), and the NAMES of
 *   the components the key is bound to (e.g. "cpu, memory, machine_id": that this
 *   is probably a VM). It stores no component value, serial or hash of one.
 * - Every secret field (sealed slots, pair tags) is keyed by the password stage key
 *   P = scrypt(password, email, install salt) AND a hardware hash. There is no
 *   password check: a guess of the password can only be tested together with a
 *   guess of the hardware (all components, all but one for a slot, all but two for a
 *   pair tag), so a key file stolen without the machine's serials or machine id
 *   cannot be attacked offline, however weak the password. The price: a failed open
 *   cannot always tell "wrong password" from "three or more components changed", and
 *   the message says so honestly.
 * - Pair tags (16 bytes, only for keys bound to 4 or more components) exist so that
 *   two changed components can be named. They never unlock anything; they let a
 *   password guess be tested with all but two components, one fewer than a slot.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { lengthPrefixed, uint64 } from '../../../../shared/node/crypto/encoding.ts';
import type { ScryptParams } from '../../../../shared/node/crypto/kdf.ts';
import { COMPONENT_NAMES, type ComponentName } from './components.ts';
import { writeFileAtomic } from '../../../../shared/node/atomic-file.ts';
import { readJsonFile } from '../../../../shared/node/json-file.ts';
import { machineDir } from './install-salt.ts';

export const KEY_FILE_FORMAT = 'factory-console/machine-key';
export const KEY_FILE_VERSION = 1;
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** `<home>/machine/machine-key.json`: where activation writes the machine key. */
export function machineKeyPath(home: string): string {
  return join(machineDir(home), 'machine-key.json');
}

/** The key file is missing a part, truncated, or was edited. */
export class KeyFileDamagedError extends ConsoleError {
  constructor(path: string, detail: string) {
    super(
      ErrorCode.IntegrityFailed,
      `The machine key file ${path} is damaged (${detail}). ` +
        'Restore it from a backup, or re-activate this machine online (factory-console activate).',
    );
    this.name = 'KeyFileDamagedError';
  }
}

const componentName = z.enum(COMPONENT_NAMES);

/** Strict base64 of exactly `bytes` bytes (or within a range). */
function base64Bytes(min: number, max = min) {
  return z.base64().refine(
    (text) => {
      const length = Buffer.from(text, 'base64').length;
      return length >= min && length <= max;
    },
    `expected ${min === max ? min : `${min}–${max}`} bytes`,
  );
}

const keyFileSchema = z
  .strictObject({
    format: z.literal(KEY_FILE_FORMAT),
    version: z.literal(KEY_FILE_VERSION),
    kdf: z.strictObject({
      password: z.literal('scrypt'),
      // Bounds match the crypto core's: a hostile N cannot exhaust memory.
      N: z
        .number()
        .int()
        .min(2 ** 14)
        .max(2 ** 22)
        .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
      slots: z.literal('hkdf-sha256'),
    }),
    install_salt: base64Bytes(16, 64),
    public_key: base64Bytes(32),
    components: z.array(componentName).min(1).max(COMPONENT_NAMES.length),
    pair_tags: z
      .array(z.strictObject({ omit: z.tuple([componentName, componentName]), tag: base64Bytes(16) }))
      .max(21),
    slots: z
      .array(z.strictObject({ omit: componentName.nullable(), box: base64Bytes(49, 4096) }))
      .min(1)
      .max(COMPONENT_NAMES.length + 1),
    checksum: z.string().regex(/^[0-9a-f]{64}$/u),
  })
  .superRefine((file, context) => {
    const names = new Set(file.components);
    if (names.size !== file.components.length)
      context.addIssue({ code: 'custom', message: 'duplicate component' });
    const pairs = file.pair_tags.map((entry) => entry.omit.join(','));
    const expectedPairs = expectedPairTags(file.components).map((pair) => pair.join(','));
    if (pairs.length !== expectedPairs.length || !expectedPairs.every((pair) => pairs.includes(pair))) {
      context.addIssue({ code: 'custom', message: 'pair tags do not match the component list' });
    }
    const omits = file.slots.map((slot) => slot.omit);
    const expected = expectedSlots(file.components);
    if (omits.length !== expected.length || !expected.every((omit) => omits.includes(omit))) {
      context.addIssue({ code: 'custom', message: 'slots do not match the component list' });
    }
  });

export type KeyFile = z.infer<typeof keyFileSchema>;

/**
 * The minimum number of components for leave-one-out slots: with fewer, "all but
 * one" would be a single component (a CPU model), too weak to unlock anything.
 */
export const MIN_COMPONENTS_FOR_TOLERANCE = 3;

/** The slots a key bound to `components` has: the full fingerprint, then one per omitted component. */
export function expectedSlots(components: readonly ComponentName[]): Array<ComponentName | null> {
  return components.length >= MIN_COMPONENTS_FOR_TOLERANCE ? [null, ...components] : [null];
}

/**
 * Pair tags name two changed components. They need at least 4 components, so that a
 * password guess can never be tested against fewer than two of them.
 */
export const MIN_COMPONENTS_FOR_PAIR_TAGS = 4;

/** The component pairs a key bound to `components` has tags for (in component order). */
export function expectedPairTags(
  components: readonly ComponentName[],
): Array<[ComponentName, ComponentName]> {
  if (components.length < MIN_COMPONENTS_FOR_PAIR_TAGS) return [];
  return components.flatMap((first, index) =>
    components.slice(index + 1).map((second): [ComponentName, ComponentName] => [first, second]),
  );
}

/** The scrypt cost a key file was sealed with (opening must use the same). */
export function scryptParamsOf(file: KeyFile): ScryptParams {
  return { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p };
}

/**
 * Unambiguous bytes of the header: everything a slot is bound to (as AAD), so a
 * slot moved to another file, or a header edited, no longer opens.
 */
export function headerBytes(file: Omit<KeyFile, 'pair_tags' | 'slots' | 'checksum'>): Buffer {
  return Buffer.concat([
    lengthPrefixed(file.format),
    uint64(file.version),
    lengthPrefixed(file.kdf.password),
    uint64(file.kdf.N),
    uint64(file.kdf.r),
    uint64(file.kdf.p),
    lengthPrefixed(file.kdf.slots),
    lengthPrefixed(Buffer.from(file.install_salt, 'base64')),
    lengthPrefixed(Buffer.from(file.public_key, 'base64')),
    uint64(file.components.length),
    ...file.components.map((name) => lengthPrefixed(name)),
  ]);
}

/** SHA-256 over every field but the checksum: catches truncation and hand edits with a clear message. */
export function keyFileChecksum(file: Omit<KeyFile, 'checksum'>): string {
  const hash = createHash('sha256').update(headerBytes(file)).update(uint64(file.pair_tags.length));
  for (const entry of file.pair_tags)
    hash.update(lengthPrefixed(entry.omit.join(','))).update(lengthPrefixed(entry.tag));
  hash.update(uint64(file.slots.length));
  for (const slot of file.slots)
    hash.update(lengthPrefixed(slot.omit ?? '')).update(lengthPrefixed(slot.box));
  return hash.digest('hex');
}

/** Reads and validates a key file; undefined when there is none. */
export async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  const read = await readJsonFile(path, keyFileSchema, { maxBytes: MAX_KEY_FILE_BYTES });
  switch (read.state) {
    case 'missing':
      return undefined;
    case 'too_large':
      throw new KeyFileDamagedError(path, 'larger than 64 KiB');
    case 'not_json':
      throw new KeyFileDamagedError(path, 'not valid JSON: truncated?');
    case 'invalid':
      throw new KeyFileDamagedError(path, read.problem);
  }
  if (keyFileChecksum(read.value) !== read.value.checksum) {
    throw new KeyFileDamagedError(path, 'checksum mismatch: edited or corrupted');
  }
  return read.value;
}

/**
 * Writes a key file atomically: a complete temp file (0600, fsynced) renamed over
 * the old one, so a crash leaves either the old or the new file, never a mix.
 */
export async function writeKeyFile(path: string, file: KeyFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * The sealed slots of the machine key file: key derivation, sealing a key file for a
 * fingerprint, and trying its slots. Only machine-key.ts calls these.
 *
 * Key derivation, and why it keeps the password's hardness:
 *   P      = scrypt(password, salt = SHA-384(email ‖ STAGE ‖ install_salt))   (one scrypt)
 *   K_slot = HKDF-SHA-256(P, salt = hw_hash(variant), info = slot)            (microseconds)
 * The expensive, memory-hard step is on the password, the only low-entropy secret
 * the operator holds; it runs once per open. The hardware part enters through
 * HKDF: an attacker must still pay one scrypt per password guess, and with P in
 * hand must still produce the hardware values. Per-variant scrypt (the literal
 * §3.2 formula, hw_hash inside the scrypt salt) would make each hardware guess
 * cost a scrypt too, but the hardware values are either guessable model names
 * (where a scrypt per guess buys little) or serials (unguessable either way), while
 * the legitimate fall-back path would cost up to 8 scrypts (≈ 5 s). Nothing in the
 * file is keyed by P alone (no password check, no per-component tag): every test of
 * a password guess also needs the hardware (see machine-key.file.ts). We reuse the
 * crypto core's `deriveMachineKek` for the scrypt with a constant STAGE in place of
 * the hardware hash, which keeps one scrypt implementation and its parameter checks.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { hardwareHash } from '../../../../shared/node/crypto/hardware-hash.ts';
import { deriveMachineKek, hkdfSha256, type ScryptParams } from '../../../../shared/node/crypto/kdf.ts';
import { openSecret, sealSecret } from '../../../../shared/node/crypto/secret-box.ts';
import { COMPONENT_NAMES, type ComponentName, type Components } from './components.ts';
import {
  KEY_FILE_FORMAT,
  KEY_FILE_VERSION,
  expectedPairTags,
  expectedSlots,
  headerBytes,
  keyFileChecksum,
  type KeyFile,
} from './machine-key.file.ts';

/** Stands in for the hardware hash in the scrypt salt: the password stage is hardware-independent. */
const PASSWORD_STAGE = Buffer.from('FactoryConsole/machine-key/v1/password-stage');
const INFO_SLOT = 'FactoryConsole/machine-key/v1/slot';
const INFO_PAIR = 'FactoryConsole/machine-key/v1/pair-tag';

/** The password stage key P and the salt it was derived with. Secret material: do not log. */
export interface Derived {
  stage: Buffer;
  installSalt: Buffer;
}

/** What a failed full-fingerprint open tells about the hardware. */
export type Diagnosis =
  | { kind: 'one'; changed: ComponentName }
  | { kind: 'two'; changed: [ComponentName, ComponentName] }
  /** Wrong password or email, or more changes than the file can name: indistinguishable by design. */
  | { kind: 'unknown' }
  /** The slots contradict each other: the file was forged or corrupted. */
  | { kind: 'inconsistent' };

function slotKey(derived: Derived, variant: Record<string, string>): Buffer {
  return hkdfSha256(derived.stage, hardwareHash(variant, derived.installSalt), INFO_SLOT, 32);
}

function pairTag(derived: Derived, variant: Record<string, string>, header: Buffer): Buffer {
  return hkdfSha256(
    derived.stage,
    hardwareHash(variant, derived.installSalt),
    Buffer.concat([Buffer.from(INFO_PAIR), header]),
    16,
  );
}

function slotAad(header: Buffer, omit: ComponentName | null): Buffer {
  return Buffer.concat([header, Buffer.from(`\u0000slot:${omit ?? '*'}`)]);
}

/** The values of `names` (minus `omit`) in `components`; undefined when one of them is absent. */
function variantOf(
  components: Components,
  names: readonly ComponentName[],
  ...omit: ComponentName[]
): Record<string, string> | undefined {
  const variant: Record<string, string> = {};
  for (const name of names) {
    if (omit.includes(name)) continue;
    const value = components[name];
    if (value === undefined) return undefined;
    variant[name] = value;
  }
  return variant;
}

/** The one scrypt of an open or a create. */
export async function deriveStage(
  credentials: { email: string; password: string },
  installSalt: Buffer,
  params: ScryptParams,
) {
  const stage = await deriveMachineKek({
    password: credentials.password,
    email: credentials.email,
    hwHash: PASSWORD_STAGE,
    installSalt,
    params,
  });
  return { stage, installSalt };
}

/** Builds a key file for `components` from an already derived password stage. */
export function sealKeyFile(
  derived: Derived,
  params: ScryptParams,
  keyPair: { publicKey: Buffer; privateKey: Buffer },
  components: Components,
): KeyFile {
  const names = COMPONENT_NAMES.filter((name) => components[name] !== undefined);
  if (names.length === 0) {
    throw new RangeError('a key must be bound to at least one component');
  }
  const head = {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    kdf: { password: 'scrypt', N: params.N, r: params.r, p: params.p, slots: 'hkdf-sha256' },
    install_salt: derived.installSalt.toString('base64'),
    public_key: keyPair.publicKey.toString('base64'),
    components: names,
  } as const;
  const header = headerBytes(head);
  const body = {
    ...head,
    kdf: { ...head.kdf },
    components: [...names],
    pair_tags: expectedPairTags(names).map((omit) => ({
      omit,
      tag: pairTag(derived, variantOf(components, names, ...omit) ?? {}, header).toString('base64'),
    })),
    slots: expectedSlots(names).map((omit) => {
      const variant = variantOf(components, names, ...(omit ? [omit] : [])) ?? {};
      return {
        omit,
        box: sealSecret(slotKey(derived, variant), keyPair.privateKey, slotAad(header, omit)).toString(
          'base64',
        ),
      };
    }),
  };
  return { ...body, checksum: keyFileChecksum(body) };
}

/**
 * After the full-fingerprint slot failed: which components changed. Exactly one
 * leave-one-out slot opens when one component changed; exactly one pair tag matches
 * when two did. More than one of either means no component changed at all, so the
 * full slot itself was forged or corrupted.
 */
export function diagnose(file: KeyFile, derived: Derived, components: Components): Diagnosis {
  const opening = file.components.filter((name) => tryOpen(file, derived, components, name) !== undefined);
  if (opening.length > 1) return { kind: 'inconsistent' };
  const [one] = opening;
  if (one !== undefined) return { kind: 'one', changed: one };
  const header = headerBytes(file);
  const matching = file.pair_tags.filter((entry) => {
    const variant = variantOf(components, file.components, ...entry.omit);
    if (!variant) return false;
    const stored = Buffer.from(entry.tag, 'base64');
    const tag = pairTag(derived, variant, header);
    return stored.length === tag.length && timingSafeEqual(stored, tag);
  });
  if (matching.length > 1) return { kind: 'inconsistent' };
  const [pair] = matching;
  return pair ? { kind: 'two', changed: pair.omit } : { kind: 'unknown' };
}

/** Opens one slot with the current components; undefined when it does not authenticate or cannot apply. */
export function tryOpen(
  file: KeyFile,
  derived: Derived,
  components: Components,
  omit: ComponentName | null,
): Buffer | undefined {
  const variant = variantOf(components, file.components, ...(omit ? [omit] : []));
  const slot = file.slots.find((candidate) => candidate.omit === omit);
  if (!variant || !slot) return undefined;
  try {
    return openSecret(
      slotKey(derived, variant),
      Buffer.from(slot.box, 'base64'),
      slotAad(headerBytes(file), omit),
    );
  } catch (error) {
    if (isIntegrityError(error)) return undefined;
    throw error;
  }
}

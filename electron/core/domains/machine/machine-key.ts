/**
 * The machine key (docs/ARCHITECTURE.md §The key hierarchy): an X25519 key pair made at activation, the
 * private key sealed in the key file under one key per fingerprint variant — the
 * full fingerprint, and each "all components but one" — so that one changed
 * component (a RAM upgrade, a new GPU) still opens it and the key re-binds. Key
 * derivation and its rationale: machine-key.slots.ts; the file: machine-key.file.ts.
 */
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { MACHINE_KEK_SCRYPT, type ScryptParams } from '../../../../shared/node/crypto/kdf.ts';
import { generateX25519KeyPair, x25519PublicKeyOf } from '../../../../shared/node/crypto/x25519.ts';
import { COMPONENT_NAMES, type ComponentName, type Components } from './components.ts';
import {
  KeyFileDamagedError,
  MIN_COMPONENTS_FOR_TOLERANCE,
  readKeyFile,
  scryptParamsOf,
  writeKeyFile,
  type KeyFile,
} from './machine-key.file.ts';
import { deriveStage, diagnose, sealKeyFile, tryOpen, type Derived } from './machine-key.slots.ts';

export { KeyFileDamagedError, machineKeyPath } from './machine-key.file.ts';

/** A failure to open or create the machine key, with the error-registry code for IPC and the CLI. */
export class MachineKeyError extends ConsoleError {
  /** Components that differ from the activation's fingerprint (names only). */
  readonly changed: ComponentName[];
  constructor(code: ErrorCode, message: string, changed: ComponentName[] = []) {
    super(code, message);
    this.name = 'MachineKeyError';
    this.changed = changed;
  }
}

/** The operator's credentials. Secret: never log or send them. */
export interface MachineKeyCredentials {
  email: string;
  password: string;
}

/** Activation: bind a new key pair to the current fingerprint. */
export interface CreateMachineKeyInput extends MachineKeyCredentials {
  path: string;
  /** The current fingerprint's components (normalised). */
  components: Components;
  installSalt: Uint8Array;
  params?: ScryptParams;
  /** Replace an existing key file (re-activation). Default: refuse. */
  overwrite?: boolean;
}

/** Unlock: open the key with the operator's credentials and the current fingerprint. */
export interface OpenMachineKeyInput extends MachineKeyCredentials {
  path: string;
  /**
   * The current fingerprint's components (normalised), or their collection still
   * under way: the password stage's scrypt does not depend on them, so it runs while
   * the hardware is read, and the slots are tried once both are done.
   */
  components: Components | Promise<Components>;
  /** Require every component to match (no one-change tolerance). */
  strict?: boolean;
  /**
   * Components whose collection failed or timed out this time (`missing` entries
   * with `failed`): a change there still opens, but does not re-bind.
   */
  unreadable?: readonly ComponentName[];
}

/** An opened key. `privateKey` is secret material: keep it in memory, never log or send it. */
export interface OpenedMachineKey {
  publicKey: Buffer;
  privateKey: Buffer;
  /** The component that changed and was re-bound (empty when the fingerprint matched). */
  changed: ComponentName[];
  /** True when the key file was re-sealed for the current fingerprint (an audit event for the caller). */
  rebound: boolean;
  /** Components found now that the key is not bound to (informational; no re-bind). */
  added: ComponentName[];
}

/**
 * Makes the machine's key pair and writes its key file (activation). Returns the
 * pair: the public key goes to the server, the private key stays in memory.
 */
export async function createMachineKey(
  input: CreateMachineKeyInput,
): Promise<{ publicKey: Buffer; privateKey: Buffer }> {
  if (!input.overwrite && (await readKeyFile(input.path).catch(() => 'damaged')) !== undefined) {
    throw new MachineKeyError(ErrorCode.Conflict, `A machine key already exists at ${input.path}.`);
  }
  if (!COMPONENT_NAMES.some((name) => input.components[name] !== undefined)) {
    throw new MachineKeyError(
      ErrorCode.HardwareMismatch,
      'No fingerprint component was found: cannot bind a key.',
    );
  }
  const params = input.params ?? MACHINE_KEK_SCRYPT;
  const derived = await deriveStage(input, Buffer.from(input.installSalt), params);
  try {
    const keyPair = generateX25519KeyPair();
    await writeKeyFile(input.path, sealKeyFile(derived, params, keyPair, input.components));
    return keyPair;
  } finally {
    derived.stage.fill(0);
  }
}

const REACTIVATE = 'Re-activate this machine online (factory-console activate).';

/**
 * Opens the machine key with the operator's credentials and the current
 * fingerprint: the full-fingerprint slot first (one scrypt), then — only if that
 * fails — the "all but one" slots (HKDF each). One change opens and re-seals the
 * file for the current fingerprint (unless `strict`); two or more fail, naming them.
 */
export async function openMachineKey(input: OpenMachineKeyInput): Promise<OpenedMachineKey> {
  // Settled below; until then a failed collection must not be an unhandled rejection.
  const collecting = Promise.resolve(input.components);
  collecting.catch(() => undefined);
  const file = await readKeyFile(input.path);
  if (!file) {
    throw new MachineKeyError(
      ErrorCode.NotActivated,
      `No machine key at ${input.path}: this machine is not activated.`,
    );
  }
  const [stage, components] = await Promise.allSettled([
    deriveStage(input, Buffer.from(file.install_salt, 'base64'), scryptParamsOf(file)),
    collecting,
  ]);
  if (stage.status === 'rejected') throw stage.reason;
  const derived = stage.value;
  try {
    if (components.status === 'rejected') throw components.reason;
    return await openDerived(file, derived, { ...input, components: components.value });
  } finally {
    // Key material: P lives no longer than this call.
    derived.stage.fill(0);
  }
}

async function openDerived(
  file: KeyFile,
  derived: Derived,
  input: OpenMachineKeyInput & { components: Components },
): Promise<OpenedMachineKey> {
  const publicKey = Buffer.from(file.public_key, 'base64');
  const added = COMPONENT_NAMES.filter(
    (name) => input.components[name] !== undefined && !file.components.includes(name),
  );
  const full = tryOpen(file, derived, input.components, null);
  if (full) {
    return {
      publicKey,
      privateKey: verified(full, publicKey, input.path),
      changed: [],
      rebound: false,
      added,
    };
  }

  const diagnosis = diagnose(file, derived, input.components);
  if (diagnosis.kind === 'inconsistent') {
    throw new KeyFileDamagedError(input.path, 'a sealed slot does not authenticate');
  }
  if (diagnosis.kind === 'unknown') {
    // By design nothing in the file tells a wrong password from too many changes
    // (machine-key.file.ts): say both, and what to try first.
    const most = file.pair_tags.length > 0 ? 'two' : file.slots.length > 1 ? 'one' : 'no';
    throw new MachineKeyError(
      ErrorCode.WrongPassword,
      `Wrong password or email for this machine key — or the hardware changed in more components than ` +
        `it tolerates (bound to ${file.components.join(', ')}; ${most} change${most === 'one' ? '' : 's'} ` +
        `can be named). Check the password first; if it is right: ${REACTIVATE}`,
    );
  }
  const changed: ComponentName[] = diagnosis.kind === 'one' ? [diagnosis.changed] : [...diagnosis.changed];
  const unreadable = changed.filter((name) => input.unreadable?.includes(name));
  const retry =
    unreadable.length > 0
      ? ` (${unreadable.join(', ')} could not be read this time: try again before re-activating.)`
      : '';
  const mismatch = (why: string) =>
    new MachineKeyError(
      ErrorCode.HardwareMismatch,
      `The hardware changed since activation (${changed.join(', ')}): ${why}. ${REACTIVATE}${retry}`,
      changed,
    );
  if (input.strict) throw mismatch('strict binding requires every component to match');
  if (diagnosis.kind === 'two')
    throw mismatch(`the key opens with at most one change, not ${changed.length}`);
  const one = diagnosis.changed;
  if (file.components.length < MIN_COMPONENTS_FOR_TOLERANCE) {
    throw mismatch(
      `this key is bound to too few components (${file.components.join(', ')}) to tolerate a change`,
    );
  }
  const opened = tryOpen(file, derived, input.components, one);
  if (!opened) throw new KeyFileDamagedError(input.path, 'a sealed slot does not authenticate');
  const privateKey = verified(opened, publicKey, input.path);
  // A component that merely failed to read this time is not re-bound: re-sealing
  // without it would drop it from the binding for good.
  const rebound = unreadable.length === 0;
  if (rebound) {
    await writeKeyFile(
      input.path,
      sealKeyFile(derived, scryptParamsOf(file), { publicKey, privateKey }, input.components),
    );
  }
  return { publicKey, privateKey, changed, rebound, added };
}

/** The sealed private key must belong to the file's public key; otherwise the file was tampered with. */
function verified(privateKey: Buffer, publicKey: Buffer, path: string): Buffer {
  if (privateKey.length !== 32 || !x25519PublicKeyOf(privateKey).equals(publicKey)) {
    throw new KeyFileDamagedError(path, 'the private key does not match the public key');
  }
  return privateKey;
}

/**
 * The offline vault's lock (docs/ARCHITECTURE.md §The offline vault): the locked screen asks only for
 * the activation account's password; it opens this machine's key offline (the hardware
 * must still match) and the opened key stays in this object's memory until the vault
 * is idle for `autoLockMinutes`, is locked, or the activation changes. Other services
 * use the key through `withKey` and never keep it.
 *
 * Secrets: the password is used for the call only (the key, then the best-effort
 * sign-in) and never stored. The private key never leaves this class except as a copy
 * handed to a `withKey` callback and zeroed when the callback ends. Key material: do
 * not log.
 */
import type {
  SessionState,
  VaultState,
  VaultUnlockResult,
} from '../../../../shared/common/contract/bridge.ts';
import type { VaultUnlockInput } from '../../../../shared/common/contract/inputs.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { readActivation, requireActivation, type Activation } from '../machine/activation.store.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';
import { openThisMachineKey } from './vault-opener.ts';
import { checkActivationSeal, isSealed } from '../machine/activation-seal.ts';
import { localSealKey } from '../../../../shared/node/crypto/local-seal.ts';
import { listRecords } from './vault.store.ts';
import { processEnvironment } from '../../platform/environment.ts';

export interface VaultLockDeps {
  home: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** The settings' idle time (1–1440 minutes), read at each (re-)arm. */
  autoLockMinutes: () => number;
  /** The settings' strict-hardware switch: no changed component tolerated. */
  strictHardware: () => boolean;
  /** Pushes the state to the UI (`vault.onChange`). */
  emit: (state: VaultState) => void;
  /**
   * Signs in with the same password when the console is connected to the activation's
   * origin (the wiring decides; it may do nothing). Best effort: a throw is ignored.
   */
  signIn?: (activation: { serverUrl: string; email: string }, password: string) => Promise<SessionState>;
  /** The console's session after the unlock (reported with the result). */
  sessionState: () => Promise<SessionState>;
  now?: () => number;
  /** Tests only: the idle time in milliseconds, instead of `autoLockMinutes`. */
  autoLockMs?: () => number;
}

/** Which activation a held key was opened for: a re-activation makes a new record. */
interface Opened {
  privateKey: Buffer;
  machineId: string;
  activatedAt: string;
}

const LOCKED_MESSAGE =
  'The vault is locked: unlock it with your password (the lock screen), or give the password.';

/** Holds this machine's opened key while the vault is unlocked; see the module comment. */
export class VaultLockService implements DomainHandlers<'vault'> {
  readonly #deps: VaultLockDeps;
  #opened: Opened | undefined;
  #timer: NodeJS.Timeout | undefined;
  #locksAt: number | undefined;
  /** Bumped by every lock: an unlock that started before a lock does not keep its key. */
  #epoch = 0;

  constructor(deps: VaultLockDeps) {
    this.#deps = deps;
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }

  /** What the locked screen shows; also locks if the activation changed under an unlocked vault. */
  async getState(): Promise<VaultState> {
    const activation = await readActivation(this.#deps.home).catch(() => undefined);
    if (this.#opened && !sameActivation(this.#opened, activation)) this.#forget();
    const items = activation ? (await listRecords(this.#deps.home).catch(() => [])).length : 0;
    return {
      activated: activation !== undefined,
      locked: this.#opened === undefined,
      email: activation?.email ?? null,
      serverUrl: activation?.server_url ?? null,
      machineLabel: activation?.label ?? null,
      items,
      locksAt: this.#opened && this.#locksAt !== undefined ? new Date(this.#locksAt).toISOString() : null,
    };
  }

  /**
   * Opens the machine key offline with the password and keeps it until the vault is
   * idle or locked; then, best effort, signs in with the same password. A wrong
   * password or changed hardware throws (the vault stays locked).
   */
  async unlock(input: VaultUnlockInput): Promise<VaultUnlockResult> {
    const activation = await requireActivation(this.#deps.home);
    const epoch = this.#epoch;
    const { privateKey } = await openThisMachineKey(
      this.#deps.home,
      activation,
      input.password,
      this.#deps.env ?? processEnvironment(),
      { strict: this.#deps.strictHardware() },
    );
    if (isSealed(activation)) {
      // An edited activation is refused here already, not only when an item opens.
      const sealKey = localSealKey(privateKey, activation.machine_id);
      try {
        checkActivationSeal(activation, sealKey);
      } catch (error) {
        privateKey.fill(0);
        throw error;
      } finally {
        sealKey.fill(0);
      }
    }
    if (epoch !== this.#epoch) {
      // Locked (or closed) while the key was being opened: the lock wins.
      privateKey.fill(0);
      throw new ConsoleError(
        ErrorCode.Conflict,
        'The vault was locked while it was being unlocked: unlock it again.',
      );
    }
    this.#opened?.privateKey.fill(0);
    this.#opened = { privateKey, machineId: activation.machine_id, activatedAt: activation.activated_at };
    this.#arm();
    this.#deps.emit(await this.getState());
    if (this.#deps.signIn) {
      // Offline is the normal case here: the vault is already unlocked, a failed sign-in changes nothing.
      await this.#deps
        .signIn({ serverUrl: activation.server_url, email: activation.email }, input.password)
        .catch(() => undefined);
    }
    return { vault: await this.getState(), session: await this.#deps.sessionState() };
  }

  /** Forgets the opened key now (zeroed) and pushes the state. Safe to call when locked. */
  async lock(): Promise<VaultState> {
    this.#forget();
    const state = await this.getState();
    this.#deps.emit(state);
    return state;
  }

  /**
   * Runs `fn` with the unlocked vault's key, for other services (export without a
   * password). Counts as use: the idle timer starts again. `fn` gets a copy that is
   * zeroed when it settles — it must not keep it — so a lock during a long export
   * neither corrupts that export nor leaves the key behind.
   */
  async withKey<T>(fn: (privateKey: Buffer, activation: Activation) => Promise<T>): Promise<T> {
    const opened = this.#opened;
    if (!opened) throw new ConsoleError(ErrorCode.Unauthenticated, LOCKED_MESSAGE);
    let activation: Activation | undefined;
    try {
      activation = await readActivation(this.#deps.home);
    } catch (error) {
      await this.lock();
      throw error;
    }
    if (!activation || !sameActivation(opened, activation)) {
      await this.lock();
      throw new ConsoleError(
        ErrorCode.NotActivated,
        'The activation changed since the vault was unlocked (deactivated or activated again): the vault is locked. Activate this machine, then unlock.',
      );
    }
    if (this.#opened !== opened) throw new ConsoleError(ErrorCode.Unauthenticated, LOCKED_MESSAGE);
    this.#arm();
    const copy = Buffer.from(opened.privateKey);
    try {
      return await fn(copy, activation);
    } finally {
      copy.fill(0);
    }
  }

  /** Console closing: forget the key without pushing anything. */
  dispose(): void {
    this.#forget();
  }

  #forget(): void {
    this.#epoch += 1;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#locksAt = undefined;
    this.#opened?.privateKey.fill(0);
    this.#opened = undefined;
  }

  /** (Re-)starts the idle timer; it never keeps the process alive. */
  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    const setting = this.#deps.autoLockMinutes();
    // The settings store validates 1–1440; clamp anyway so a bad value can never disable the lock.
    const minutes = Number.isFinite(setting) ? Math.min(1440, Math.max(1, Math.floor(setting))) : 15;
    const idleMs = this.#deps.autoLockMs?.() ?? minutes * 60_000;
    this.#locksAt = this.#now() + idleMs;
    this.#timer = setTimeout(() => {
      void this.lock().catch(() => undefined);
    }, idleMs);
    this.#timer.unref();
  }
}

function sameActivation(opened: Opened, activation: Activation | undefined): boolean {
  return (
    activation !== undefined &&
    activation.machine_id === opened.machineId &&
    activation.activated_at === opened.activatedAt
  );
}

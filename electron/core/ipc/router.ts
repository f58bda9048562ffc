/**
 * The IPC router: one table keyed by channel, shared by every transport (Electron's
 * ipcMain and browser mode's loopback HTTP). Trust boundary: everything that arrives
 * here comes from a renderer, which we treat as compromised. Order matters — sender,
 * then shape and size, then schema, then the service — and every outcome is a typed
 * {@link Result}: never a stack trace, never key material.
 */
import { randomUUID } from 'node:crypto';
import { argumentSchemaOf, describeArgumentError } from '../../../shared/common/contract/arguments.ts';
import { bridgeChannels, channelName, listChannels } from '../../../shared/common/contract/channels.ts';
import { ContractLimits } from '../../../shared/common/contract/limits.ts';
import { fail, ok, type Result, type Unsubscribe } from '../../../shared/common/contract/result.ts';
import { ConsoleError } from '../platform/console-error.ts';
import { isIntegrityError } from '../../../shared/node/crypto/errors.ts';
import { inspectPayload } from './payload-guard.ts';
import type { BridgeEventPayloads, BridgeHandlers, EventDomain } from './handlers.ts';

/** Who sent a call: the transport and the URL (Electron sender frame) or Origin (HTTP). */
export interface SenderInfo {
  transport: 'electron' | 'http';
  url: string;
}

/** One line per call for the operator's log: no arguments, no results (they may hold secrets). */
export interface CallRecord {
  channel: string;
  outcome: 'ok' | string;
  ms: number;
  reference?: string;
  detail?: string;
}

export interface IpcRouterOptions {
  handlers: BridgeHandlers;
  /** True when the sender is our own page (exact origin), not a navigated or framed one. */
  isTrustedSender(sender: SenderInfo): boolean;
  log?: (record: CallRecord) => void;
  maxPayloadBytes?: number;
}

export type ChannelListener = (channel: string, payload: unknown) => void;

export class IpcRouter {
  readonly #options: IpcRouterOptions;
  readonly #listeners = new Set<ChannelListener>();
  readonly #invokeChannels: ReadonlySet<string>;

  constructor(options: IpcRouterOptions) {
    this.#options = options;
    this.#invokeChannels = new Set(
      listChannels()
        .filter((entry) => entry.kind === 'invoke')
        .map((entry) => entry.channel),
    );
  }

  /** The request/response channels a transport should register. */
  invokeChannels(): string[] {
    return [...this.#invokeChannels];
  }

  /** True when a service answers `channel` (the contract test walks every channel with it). */
  hasHandler(channel: string): boolean {
    return this.#invokeChannels.has(channel) && this.#handlerOf(channel) !== undefined;
  }

  /** The push channels a transport should forward. */
  eventChannels(): string[] {
    return listChannels()
      .filter((entry) => entry.kind === 'event')
      .map((entry) => entry.channel);
  }

  /** Validates and runs one call. Never throws. */
  async handle(channel: unknown, rawArgs: unknown, sender: SenderInfo): Promise<Result<unknown>> {
    const started = performance.now();
    const record: CallRecord = {
      channel: typeof channel === 'string' ? channel.slice(0, 64) : '(not a string)',
      outcome: 'ok',
      ms: 0,
    };
    const result = await this.#run(channel, rawArgs, sender, record);
    if (!result.ok) record.outcome = result.error.code;
    record.ms = Math.round(performance.now() - started);
    this.#options.log?.(record);
    return result;
  }

  async #run(
    channel: unknown,
    rawArgs: unknown,
    sender: SenderInfo,
    record: CallRecord,
  ): Promise<Result<unknown>> {
    if (typeof channel !== 'string' || !this.#invokeChannels.has(channel)) {
      return fail('not_found', 'Unknown channel.');
    }
    // Sender first: a frame that is not our page learns nothing, not even schema errors.
    if (!this.#options.isTrustedSender(sender)) {
      return fail('forbidden', 'This page may not call the console.');
    }
    const inspection = inspectPayload(
      rawArgs,
      this.#options.maxPayloadBytes ?? ContractLimits.maxPayloadBytes,
    );
    if (!inspection.ok) return fail(inspection.error.code, inspection.error.message);
    const schema = argumentSchemaOf(channel);
    const handler = this.#handlerOf(channel);
    if (!schema || !handler) return fail('internal', 'The console has no handler for this call.');
    const parsed = schema.safeParse(rawArgs);
    if (!parsed.success) {
      // The field in words and what it must be; never the value or an unknown key (renderer input).
      const refused = describeArgumentError(parsed.error);
      return fail('validation_failed', refused.message.slice(0, 300), refused.field);
    }
    try {
      // The schema's output is a fresh object: nothing of the sender's prototypes survives.
      return ok(await handler(...parsed.data));
    } catch (error) {
      if (error instanceof ConsoleError) return fail(error.code, error.message);
      // The crypto core's one integrity error: a fixed, cause-free sentence (no oracle).
      if (isIntegrityError(error)) return fail(error.code, error.message);
      // Unexpected: the log gets a reference and the error's class, never its message
      // (it may quote a secret); the UI gets only the reference.
      const reference = randomUUID();
      record.reference = reference;
      record.detail = error instanceof Error ? error.name : typeof error;
      return fail('internal', `The console hit an unexpected error (ref ${reference}).`);
    }
  }

  #handlerOf(channel: string): ((...args: unknown[]) => Promise<unknown>) | undefined {
    const [domain, member] = channel.split('.');
    if (domain === undefined || member === undefined) return undefined;
    // Only the contract's own invoke members: the services are class instances, so their
    // methods live on the prototype, but nothing else reachable from them (constructor,
    // toString, a helper method) can be called.
    if (!Object.hasOwn(bridgeChannels, domain)) return undefined;
    const members = bridgeChannels[domain as keyof typeof bridgeChannels] as Record<string, string>;
    if (!Object.hasOwn(members, member) || members[member] !== 'invoke') return undefined;
    const handlers = this.#options.handlers as unknown as Record<string, Record<string, unknown>>;
    if (!Object.hasOwn(handlers, domain)) return undefined;
    const table = handlers[domain];
    if (!table) return undefined;
    const handler = table[member];
    if (typeof handler !== 'function') return undefined;
    return (...args: unknown[]) => (handler as (...a: unknown[]) => Promise<unknown>).apply(table, args);
  }

  /** Pushes an event to every transport's subscribers. The payload type follows the contract. */
  emit<D extends EventDomain, M extends keyof BridgeEventPayloads[D] & string>(
    domain: D,
    member: M,
    payload: BridgeEventPayloads[D][M],
  ): void {
    if (!Object.hasOwn(bridgeChannels[domain], member)) return;
    const channel = channelName(domain, member);
    for (const listener of this.#listeners) {
      try {
        listener(channel, payload);
      } catch {
        // One broken transport must not stop the others.
      }
    }
  }

  /** Transports subscribe here to forward pushes to their renderers. */
  subscribe(listener: ChannelListener): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

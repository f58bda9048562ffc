import type { Call, ConsoleBridge } from '../../../shared/common/contract/bridge.ts';
import type { EventMembers, EventPayload, InvokeMembers } from '../../../shared/common/contract/channels.ts';

type Unwrapped<F> = F extends (...args: infer A) => Call<infer R> ? (...args: A) => Promise<R> : never;

/**
 * What the router calls: one function per contract call, taking the validated
 * arguments and resolving to the plain value (or throwing a ConsoleError). Services
 * know nothing of IPC; this table is the only place they meet the contract.
 */
export type BridgeHandlers = {
  [D in keyof ConsoleBridge]: { [M in InvokeMembers<ConsoleBridge[D]>]: Unwrapped<ConsoleBridge[D][M]> };
};

/** Event payload types, keyed like the contract: `BridgeEventPayloads['status']['onChange']`. */
export type BridgeEventPayloads = {
  [D in keyof ConsoleBridge]: { [M in EventMembers<ConsoleBridge[D]>]: EventPayload<ConsoleBridge[D][M]> };
};

/** Domains that have at least one push event. */
export type EventDomain = {
  [D in keyof BridgeEventPayloads]: keyof BridgeEventPayloads[D] extends never ? never : D;
}[keyof BridgeEventPayloads];

/** One domain's slice of {@link BridgeHandlers}: what its service implements (`implements DomainHandlers<'vault'>`). */
export type DomainHandlers<D extends keyof BridgeHandlers> = BridgeHandlers[D];

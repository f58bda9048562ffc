/**
 * The one channel registry, derived from {@link ConsoleBridge} with `satisfies`: a
 * member without an entry, an entry without a member, or an entry of the wrong kind
 * fails to compile. Channel names are computed from it (`domain.member`) and typed
 * nowhere else. This file has no runtime dependencies, so the sandboxed preload can
 * bundle it without zod.
 */
import type { Call, ConsoleBridge, Listener } from './bridge.ts';
import type { Unsubscribe } from './result.ts';

/** `invoke` for a request/response call, `event` for a push subscription. */
export type MemberKind<F> = F extends (listener: (payload: infer _P) => void) => Unsubscribe
  ? 'event'
  : F extends (...args: never[]) => Call<unknown>
    ? 'invoke'
    : never;

export type ChannelKinds<B> = {
  readonly [D in keyof B]: { readonly [M in keyof B[D]]: MemberKind<B[D][M]> };
};

/** Keys of a domain's request/response calls. */
export type InvokeMembers<T> = { [K in keyof T]: MemberKind<T[K]> extends 'invoke' ? K : never }[keyof T];
/** Keys of a domain's push subscriptions. */
export type EventMembers<T> = { [K in keyof T]: MemberKind<T[K]> extends 'event' ? K : never }[keyof T];

/** The payload type of an event member (`onX(listener: Listener<P>)` → `P`). */
export type EventPayload<F> = F extends (listener: Listener<infer P>) => Unsubscribe ? P : never;

export const bridgeChannels = {
  server: { inspect: 'invoke', trust: 'invoke' },
  vault: { getState: 'invoke', unlock: 'invoke', lock: 'invoke', onChange: 'event' },
  session: {
    getState: 'invoke',
    login: 'invoke',
    logout: 'invoke',
    signInMethods: 'invoke',
    startSso: 'invoke',
    completeSso: 'invoke',
    verifyFactor: 'invoke',
    factorOptions: 'invoke',
    cancelFactor: 'invoke',
    onChange: 'event',
  },
  account: {
    overview: 'invoke',
    stepUpMethods: 'invoke',
    reauthOptions: 'invoke',
    reauth: 'invoke',
    startTotp: 'invoke',
    confirmTotp: 'invoke',
    disableTotp: 'invoke',
    newRecoveryCodes: 'invoke',
    passkeyOptions: 'invoke',
    registerPasskey: 'invoke',
    renamePasskey: 'invoke',
    removePasskey: 'invoke',
    sessions: 'invoke',
    revokeSession: 'invoke',
  },
  machine: { getInfo: 'invoke', activate: 'invoke', deactivate: 'invoke' },
  resources: {
    list: 'invoke',
    unlock: 'invoke',
    exportTo: 'invoke',
    cancelUnlock: 'invoke',
    verifyManifest: 'invoke',
    onUnlockProgress: 'event',
  },
  audit: {
    page: 'invoke',
    verify: 'invoke',
    exportTo: 'invoke',
    verifyFile: 'invoke',
    inclusion: 'invoke',
    consistency: 'invoke',
    onEntry: 'event',
  },
  firewall: {
    listRules: 'invoke',
    addRule: 'invoke',
    updateRule: 'invoke',
    deleteRule: 'invoke',
    rateLimits: 'invoke',
    blocks: 'invoke',
    refusals: 'invoke',
  },
  status: { get: 'invoke', onChange: 'event' },
  settings: { get: 'invoke', update: 'invoke' },
  app: { info: 'invoke', openExternal: 'invoke', chooseSavePath: 'invoke' },
} as const satisfies ChannelKinds<ConsoleBridge>;

export type BridgeDomainName = keyof typeof bridgeChannels;

/** One row of the registry, flattened. */
export interface ChannelEntry {
  domain: BridgeDomainName;
  member: string;
  kind: 'invoke' | 'event';
  /** The wire name: `domain.member`, e.g. `session.login`. */
  channel: string;
}

/** The wire name of a member. */
export function channelName(domain: string, member: string): string {
  return `${domain}.${member}`;
}

/** Every channel of the contract, in registry order. */
export function listChannels(): ChannelEntry[] {
  const entries: ChannelEntry[] = [];
  for (const [domain, members] of Object.entries(bridgeChannels)) {
    for (const [member, kind] of Object.entries(members)) {
      entries.push({
        domain: domain as BridgeDomainName,
        member,
        kind: kind as 'invoke' | 'event',
        channel: channelName(domain, member),
      });
    }
  }
  return entries;
}

/**
 * Builds a frozen bridge object from the registry, given how to invoke a channel and
 * how to subscribe to one. The preload (over ipcRenderer) and the browser-mode bridge
 * (over HTTP) both use it, so both have exactly the contract's keys.
 */
export function buildBridge(transport: {
  invoke(channel: string, args: unknown[]): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe;
}): ConsoleBridge {
  const bridge: Record<string, Record<string, unknown>> = {};
  for (const entry of listChannels()) {
    const domain = (bridge[entry.domain] ??= {});
    domain[entry.member] =
      entry.kind === 'invoke'
        ? (...args: unknown[]) => transport.invoke(entry.channel, args)
        : (listener: (payload: unknown) => void) => {
            if (typeof listener !== 'function')
              throw new TypeError(`${entry.channel} needs a listener function`);
            return transport.subscribe(entry.channel, listener);
          };
  }
  for (const domain of Object.values(bridge)) Object.freeze(domain);
  return Object.freeze(bridge) as unknown as ConsoleBridge;
}

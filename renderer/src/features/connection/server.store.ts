/**
 * Server slice (zustand): which Factory API the console uses and, for https, the
 * trust-on-first-use step: inspect the presented certificate, let the operator compare
 * its fingerprint, pin it, then select the server. Public values only.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge, ServerIdentity } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface ServerState {
  /** The certificate check of the address typed last (null before a check). */
  identity: ServerIdentity | null;
  /** The address `identity` belongs to, as typed. */
  url: string | null;
  busy: boolean;
  error: BridgeError | null;
  /** The address in use after the last successful change (null: the embedded factory). */
  applied: { serverUrl: string | null; at: string } | null;
  inspect(bridge: ConsoleBridge, url: string): Promise<void>;
  /** Pins the certificate (refused unless the server presents `fingerprint256`), then uses the server. */
  trustAndUse(bridge: ConsoleBridge, url: string, fingerprint256: string): Promise<boolean>;
  /** Uses a plain-http or already trusted server, or the embedded factory (`null`). */
  use(bridge: ConsoleBridge, url: string | null): Promise<boolean>;
  clear(): void;
}

/** `AB:CD…`, `abcd…`, `sha256/…`: the 64 hex digits, upper case (what the main side compares). */
export function fingerprintDigits(text: string): string {
  return text
    .replace(/^\s*sha-?256[/:=]?/i, '')
    .replace(/[^0-9a-f]/gi, '')
    .toUpperCase();
}

export function createServerStore(
  onChanged: (bridge: ConsoleBridge, serverUrl: string | null) => Promise<void> = async () => undefined,
): StoreApi<ServerState> {
  return createStore<ServerState>((set, get) => {
    async function apply(bridge: ConsoleBridge, url: string | null): Promise<boolean> {
      const result = await bridge.settings.update({ serverUrl: url });
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return false;
      }
      set({ busy: false, error: null, applied: { serverUrl: url, at: new Date().toISOString() } });
      await onChanged(bridge, url);
      return true;
    }
    return {
      identity: null,
      url: null,
      busy: false,
      error: null,
      applied: null,
      async inspect(bridge, url) {
        set({ busy: true, identity: null, url, error: null, applied: null });
        const result = await bridge.server.inspect({ url });
        // A slower answer for an address typed earlier must not replace the newer one.
        if (get().url !== url) return;
        set(
          result.ok
            ? { busy: false, identity: result.value }
            : { busy: false, identity: null, error: result.error },
        );
      },
      async trustAndUse(bridge, url, fingerprint256) {
        set({ busy: true, error: null });
        const trusted = await bridge.server.trust({ url, fingerprint256 });
        if (!trusted.ok) {
          set({ busy: false, error: trusted.error });
          return false;
        }
        set({ identity: trusted.value });
        return apply(bridge, url);
      },
      async use(bridge, url) {
        set({ busy: true, error: null });
        return apply(bridge, url);
      },
      clear() {
        set({ identity: null, url: null, error: null, applied: null });
      },
    };
  });
}

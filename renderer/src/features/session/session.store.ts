/**
 * Session slice (zustand): who is signed in, against which server. Holds no secret:
 * the password is an argument of `login` that goes straight to the bridge, and the
 * token stays on the main side.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FactorInput } from '../../../../shared/common/contract/account-inputs.ts';
import type { ConsoleBridge, SessionState } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface SessionSlice {
  session: SessionState | null;
  error: BridgeError | null;
  busy: boolean;
  load(bridge: ConsoleBridge): Promise<void>;
  login(bridge: ConsoleBridge, email: string, password: string): Promise<boolean>;
  logout(bridge: ConsoleBridge): Promise<void>;
  /** The factor step of a pending sign-in: a code (the code is an argument, never state). */
  verifyFactor(bridge: ConsoleBridge, input: FactorInput): Promise<boolean>;
  /** The factor step with a passkey: options from the main side, the browser's ceremony, the assertion back. */
  usePasskey(bridge: ConsoleBridge): Promise<boolean>;
  /** Back to the password. */
  cancelFactor(bridge: ConsoleBridge): Promise<void>;
  /** Follows `session.onChange` (renewals, a session the server ended, a server change); returns the unsubscribe. */
  follow(bridge: ConsoleBridge): () => void;
}

export function createSessionStore(): StoreApi<SessionSlice> {
  return createStore<SessionSlice>((set, get) => ({
    session: null,
    error: null,
    busy: false,
    async load(bridge) {
      const result = await bridge.session.getState();
      // A success here must not hide the error of a sign-in that finished meanwhile.
      set(result.ok ? { session: result.value } : { error: result.error });
    },
    async login(bridge, email, password) {
      set({ busy: true, error: null });
      const result = await bridge.session.login({ email, password });
      set(
        result.ok
          ? { busy: false, session: result.value, error: null }
          : { busy: false, error: result.error },
      );
      return result.ok;
    },
    async verifyFactor(bridge, input) {
      set({ busy: true, error: null });
      const result = await bridge.session.verifyFactor(input);
      if (result.ok) set({ busy: false, session: result.value, error: null });
      else {
        set({ busy: false, error: result.error });
        // A sign-in the server ended (expired, finished) is no longer pending here either.
        const state = await bridge.session.getState();
        if (state.ok) set({ session: state.value });
      }
      return result.ok;
    },
    async usePasskey(bridge) {
      set({ busy: true, error: null });
      const options = await bridge.session.factorOptions();
      if (!options.ok) {
        set({ busy: false, error: options.error });
        return false;
      }
      // The WebAuthn library loads with the first passkey prompt, not with the page.
      const { passkeyAssertion } = await import('../account/passkey-ceremony.ts');
      const assertion = await passkeyAssertion(options.value);
      if (!assertion.ok) {
        set({ busy: false, error: assertion.error });
        return false;
      }
      set({ busy: false });
      return get().verifyFactor(bridge, { method: 'webauthn', assertion: assertion.value });
    },
    async cancelFactor(bridge) {
      const result = await bridge.session.cancelFactor();
      set(result.ok ? { session: result.value, error: null } : { error: result.error });
    },
    follow(bridge) {
      return bridge.session.onChange((session) => set({ session }));
    },
    async logout(bridge) {
      set({ busy: true, error: null });
      const result = await bridge.session.logout();
      set(
        result.ok
          ? { busy: false, session: result.value, error: null }
          : { busy: false, error: result.error },
      );
    },
  }));
}

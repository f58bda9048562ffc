/**
 * Session slice (zustand): who is signed in, against which server. Holds no secret:
 * the password is an argument of `login` that goes straight to the bridge, and the
 * token stays on the main side.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge, SessionState } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface SessionSlice {
  session: SessionState | null;
  error: BridgeError | null;
  busy: boolean;
  load(bridge: ConsoleBridge): Promise<void>;
  login(bridge: ConsoleBridge, email: string, password: string): Promise<boolean>;
  logout(bridge: ConsoleBridge): Promise<void>;
  /** Follows `session.onChange` (renewals, a session the server ended, a server change); returns the unsubscribe. */
  follow(bridge: ConsoleBridge): () => void;
}

export function createSessionStore(): StoreApi<SessionSlice> {
  return createStore<SessionSlice>((set) => ({
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

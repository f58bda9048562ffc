/**
 * Single sign-on slice (zustand): whether the server offers it, and the sign-on in
 * progress. Holds no secret: the provider's page opens in the system browser (desktop)
 * or a new tab (browser mode) and the result comes back to the main side's loopback
 * port; this slice only sees the URL and the outcome.
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { sessionStore } from './session.hooks.ts';

export interface SsoSlice {
  offered: boolean;
  busy: boolean;
  /** The provider's URL while waiting, for when no browser opened it. */
  link: string | null;
  error: BridgeError | null;
  check(bridge: ConsoleBridge): Promise<void>;
  /** `openTab`: how the view opens the URL when the main side did not (browser mode). */
  signIn(bridge: ConsoleBridge, openTab: (url: string) => void): Promise<void>;
}

export const ssoStore: StoreApi<SsoSlice> = createStore<SsoSlice>((set) => ({
  offered: false,
  busy: false,
  link: null,
  error: null,
  async check(bridge) {
    const result = await bridge.session.signInMethods();
    set({ offered: result.ok && result.value.sso });
  },
  async signIn(bridge, openTab) {
    set({ busy: true, error: null, link: null });
    const started = await bridge.session.startSso();
    if (!started.ok) {
      set({ busy: false, error: started.error });
      return;
    }
    if (!started.value.opened) openTab(started.value.authorizationUrl);
    set({ link: started.value.authorizationUrl });
    const done = await bridge.session.completeSso();
    if (done.ok) sessionStore.setState({ session: done.value, error: null });
    set({ busy: false, link: null, error: done.ok ? null : done.error });
  },
}));

export function useSso<T>(selector: (state: SsoSlice) => T): T {
  return useStore(ssoStore, selector);
}

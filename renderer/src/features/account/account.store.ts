/**
 * Account slice (zustand): the signed-in account's factors, API keys and sessions. Holds no secret:
 * a TOTP secret or recovery codes are returned by the action that made them, for the
 * component to show once and drop; codes the operator types are arguments only.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AccountOverview,
  ConsoleBridge,
  SessionSummary,
  TotpEnrolment,
} from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError, Result } from '../../../../shared/common/contract/result.ts';
import { passkeyRegistration } from './passkey-ceremony.ts';

export interface AccountSlice {
  overview: AccountOverview | null;
  /** Null until loaded. */
  sessions: SessionSummary[] | null;
  error: BridgeError | null;
  busy: boolean;
  load(bridge: ConsoleBridge): Promise<void>;
  startTotp(bridge: ConsoleBridge): Promise<TotpEnrolment | null>;
  /** The recovery codes (to show once), or null when the code was refused. */
  confirmTotp(bridge: ConsoleBridge, code: string): Promise<string[] | null>;
  disableTotp(bridge: ConsoleBridge, code: string): Promise<boolean>;
  newRecoveryCodes(bridge: ConsoleBridge): Promise<string[] | null>;
  /** Registers a passkey on this device; the first factor also answers recovery codes. */
  addPasskey(bridge: ConsoleBridge, name: string): Promise<{ recoveryCodes: string[] | null } | null>;
  renamePasskey(bridge: ConsoleBridge, passkeyId: string, name: string): Promise<boolean>;
  removePasskey(bridge: ConsoleBridge, passkeyId: string): Promise<boolean>;
  loadSessions(bridge: ConsoleBridge): Promise<void>;
  /** Ends one of the account's other sessions, then reloads the list. */
  revokeSession(bridge: ConsoleBridge, id: string): Promise<boolean>;
  clearError(): void;
}

export function createAccountStore(): StoreApi<AccountSlice> {
  return createStore<AccountSlice>((set, get) => {
    /** Runs one call with the busy flag; a refusal lands in `error`, a success reloads the overview. */
    async function run<T>(
      bridge: ConsoleBridge,
      call: () => Promise<Result<T>>,
      reload = true,
    ): Promise<T | null> {
      set({ busy: true, error: null });
      const result = await call();
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return null;
      }
      set({ busy: false });
      if (reload) await get().load(bridge);
      return result.value;
    }
    return {
      overview: null,
      sessions: null,
      error: null,
      busy: false,
      async load(bridge) {
        const result = await bridge.account.overview();
        set(result.ok ? { overview: result.value } : { error: result.error });
      },
      startTotp: (bridge) => run(bridge, () => bridge.account.startTotp(), false),
      async confirmTotp(bridge, code) {
        const codes = await run(bridge, () => bridge.account.confirmTotp({ code }));
        return codes?.recoveryCodes ?? null;
      },
      async disableTotp(bridge, code) {
        return (await run(bridge, () => bridge.account.disableTotp({ code }))) !== null;
      },
      async newRecoveryCodes(bridge) {
        return (await run(bridge, () => bridge.account.newRecoveryCodes()))?.recoveryCodes ?? null;
      },
      async addPasskey(bridge, name) {
        const options = await run(bridge, () => bridge.account.passkeyOptions(), false);
        if (!options) return null;
        set({ busy: true });
        const response = await passkeyRegistration(options);
        if (!response.ok) {
          set({ busy: false, error: response.error });
          return null;
        }
        const registered = await run(bridge, () =>
          bridge.account.registerPasskey({ name, response: response.value }),
        );
        return registered ? { recoveryCodes: registered.recoveryCodes } : null;
      },
      async renamePasskey(bridge, passkeyId, name) {
        return (await run(bridge, () => bridge.account.renamePasskey({ passkeyId, name }))) !== null;
      },
      async removePasskey(bridge, passkeyId) {
        return (await run(bridge, () => bridge.account.removePasskey({ passkeyId }))) !== null;
      },
      async loadSessions(bridge) {
        const result = await bridge.account.sessions();
        set(result.ok ? { sessions: result.value } : { error: result.error });
      },
      async revokeSession(bridge, id) {
        const revoked = (await run(bridge, () => bridge.account.revokeSession({ id }), false)) !== null;
        if (revoked) await get().loadSessions(bridge);
        return revoked;
      },
      clearError() {
        set({ error: null });
      },
    };
  });
}

/**
 * Step-up, once for every view (docs/IDENTITY.md §Step-up): a call the server refuses with
 * `reauth_required` opens one prompt (password or factor); after the operator confirms,
 * the same call runs again, and its result is what the view sees. Cancelling hands the
 * view the original refusal. Calls that arrive while the prompt is open wait for the same
 * answer. Holds no secret: the password or code is an argument of `confirm`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ReauthInput } from '../../../../shared/common/contract/account-inputs.ts';
import type { ConsoleBridge, StepUpMethod } from '../../../../shared/common/contract/bridge.ts';
import { listChannels } from '../../../../shared/common/contract/channels.ts';
import type { BridgeError, Result } from '../../../../shared/common/contract/result.ts';

export interface StepUpSlice {
  /** The prompt is open with these methods (null: closed). */
  methods: StepUpMethod[] | null;
  busy: boolean;
  error: BridgeError | null;
  /** Opens the prompt (or joins the open one); true once the operator confirmed. */
  ask(bridge: ConsoleBridge): Promise<boolean>;
  confirm(bridge: ConsoleBridge, input: ReauthInput): Promise<boolean>;
  confirmWithPasskey(bridge: ConsoleBridge): Promise<boolean>;
  cancel(): void;
}

export function createStepUpStore(): StoreApi<StepUpSlice> {
  let waiting: Promise<boolean> | null = null;
  let settle: ((confirmed: boolean) => void) | null = null;
  function finish(confirmed: boolean, set: StoreApi<StepUpSlice>['setState']): void {
    settle?.(confirmed);
    settle = null;
    waiting = null;
    set({ methods: null, busy: false, error: null });
  }
  return createStore<StepUpSlice>((set, get) => ({
    methods: null,
    busy: false,
    error: null,
    ask(bridge) {
      if (waiting) return waiting;
      waiting = new Promise<boolean>((resolve) => {
        settle = resolve;
      });
      set({ methods: ['password'], busy: true, error: null });
      void bridge.account.stepUpMethods().then((result) => {
        if (result.ok) set({ methods: result.value, busy: false });
        else set({ busy: false, error: result.error });
      });
      return waiting;
    },
    async confirm(bridge, input) {
      set({ busy: true, error: null });
      const result = await bridge.account.reauth(input);
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return false;
      }
      finish(true, set);
      return true;
    },
    async confirmWithPasskey(bridge) {
      set({ busy: true, error: null });
      const options = await bridge.account.reauthOptions();
      if (!options.ok) {
        set({ busy: false, error: options.error });
        return false;
      }
      // The WebAuthn library loads with the first passkey prompt, not with the page.
      const { passkeyAssertion } = await import('./passkey-ceremony.ts');
      const assertion = await passkeyAssertion(options.value);
      if (!assertion.ok) {
        set({ busy: false, error: assertion.error });
        return false;
      }
      return get().confirm(bridge, { method: 'webauthn', assertion: assertion.value });
    },
    cancel() {
      finish(false, set);
    },
  }));
}

/**
 * The page's bridge with step-up built in: every call that answers `reauth_required` asks
 * `stepUp` and, when it confirms, runs once more. Pushes pass through unchanged.
 */
export function withStepUp(
  bridge: ConsoleBridge,
  stepUp: (bridge: ConsoleBridge) => Promise<boolean>,
): ConsoleBridge {
  const wrapped: Record<string, Record<string, unknown>> = {};
  const source = bridge as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>;
  for (const entry of listChannels()) {
    const original = source[entry.domain]![entry.member]!;
    const domain = (wrapped[entry.domain] ??= {});
    domain[entry.member] =
      entry.kind === 'event'
        ? original
        : async (...args: unknown[]) => {
            const first = (await original(...args)) as Result<unknown>;
            if (first.ok || first.error.code !== 'reauth_required') return first;
            if (!(await stepUp(bridge))) return first;
            return original(...args);
          };
  }
  for (const domain of Object.values(wrapped)) Object.freeze(domain);
  return Object.freeze(wrapped) as unknown as ConsoleBridge;
}

/**
 * Firewall slice (zustand): rules and rate-limit tiers as the server reports them.
 * Every change goes through these actions and reports its outcome.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ConsoleBridge,
  FirewallRule,
  RateLimitTier,
} from '../../../../shared/common/contract/bridge.ts';
import type { FirewallRuleInput } from '../../../../shared/common/contract/inputs.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface FirewallState {
  rules: FirewallRule[] | null;
  tiers: RateLimitTier[] | null;
  error: BridgeError | null;
  /** The outcome of the last change, for the confirmation line. */
  lastChange: string | null;
  busy: boolean;
  load(bridge: ConsoleBridge): Promise<void>;
  add(bridge: ConsoleBridge, rule: FirewallRuleInput): Promise<boolean>;
  remove(bridge: ConsoleBridge, ruleId: string): Promise<boolean>;
}

export function createFirewallStore(): StoreApi<FirewallState> {
  return createStore<FirewallState>((set, get) => ({
    rules: null,
    tiers: null,
    error: null,
    lastChange: null,
    busy: false,
    async load(bridge) {
      const [rules, tiers] = await Promise.all([bridge.firewall.listRules(), bridge.firewall.rateLimits()]);
      set({
        rules: rules.ok ? rules.value : null,
        tiers: tiers.ok ? tiers.value : null,
        error: rules.ok ? (tiers.ok ? null : tiers.error) : rules.error,
      });
    },
    async add(bridge, rule) {
      set({ busy: true });
      const result = await bridge.firewall.addRule(rule);
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return false;
      }
      set({
        busy: false,
        error: null,
        rules: [...(get().rules ?? []), result.value],
        lastChange: `Added: ${result.value.action} ${result.value.cidr}`,
      });
      return true;
    },
    async remove(bridge, ruleId) {
      set({ busy: true });
      const result = await bridge.firewall.deleteRule({ ruleId });
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return false;
      }
      set({
        busy: false,
        error: null,
        rules: (get().rules ?? []).filter((rule) => rule.id !== ruleId),
        lastChange: result.value.deleted ? `Deleted rule ${ruleId}` : `Rule ${ruleId} was already gone`,
      });
      return true;
    },
  }));
}

/**
 * Firewall slice (zustand): rules, rate-limit tiers, recent refusals and the sampled
 * 401/429 series, as the server reports them. Every change goes through these actions
 * and reports its outcome; a change the server refuses (e.g. a public demo) is kept as
 * a `refusal` the view shows prominently. A change that starts clears the notes of the
 * one before: an old error never stands beside a later outcome.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ConsoleBridge,
  FirewallBlock,
  FirewallRule,
  RateLimitTier,
  RefusalSample,
} from '../../../../shared/common/contract/bridge.ts';
import type { FirewallRuleInput } from '../../../../shared/common/contract/inputs.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface FirewallRefusal {
  /** What was attempted, e.g. `add deny 10.0.0.0/8`. */
  change: string;
  error: BridgeError;
}

export interface FirewallState {
  rules: FirewallRule[] | null;
  tiers: RateLimitTier[] | null;
  blocks: FirewallBlock[] | null;
  samples: RefusalSample[] | null;
  /** Why blocks or the chart could not be read (e.g. no metrics:read permission). */
  monitorError: BridgeError | null;
  error: BridgeError | null;
  refusal: FirewallRefusal | null;
  /** The outcome of the last change, for the confirmation line. */
  lastChange: string | null;
  busy: boolean;
  load(bridge: ConsoleBridge): Promise<void>;
  /** Refreshes the recent blocks and the 401/429 samples (the view polls this). */
  refreshMonitor(bridge: ConsoleBridge): Promise<void>;
  add(bridge: ConsoleBridge, rule: FirewallRuleInput): Promise<boolean>;
  /** Sets a rule's expiry (`null`: never); a rule that thereby ends leaves the list. */
  setExpiry(bridge: ConsoleBridge, ruleId: string, expiresAt: string | null): Promise<boolean>;
  remove(bridge: ConsoleBridge, ruleId: string): Promise<boolean>;
}

/** Server refusals of a change (as opposed to transport or validation problems). */
const refusalCodes = new Set(['forbidden', 'demo_read_only', 'unauthenticated']);

export function createFirewallStore(): StoreApi<FirewallState> {
  return createStore<FirewallState>((set, get) => {
    function failed(change: string, error: BridgeError): false {
      set(
        refusalCodes.has(error.code)
          ? { busy: false, refusal: { change, error }, lastChange: null }
          : { busy: false, error, lastChange: null },
      );
      return false;
    }
    return {
      rules: null,
      tiers: null,
      blocks: null,
      samples: null,
      monitorError: null,
      error: null,
      refusal: null,
      lastChange: null,
      busy: false,
      async load(bridge) {
        // A refusal from before (e.g. not signed in yet) is not shown over a fresh load.
        set({ error: null });
        const [rules, tiers] = await Promise.all([bridge.firewall.listRules(), bridge.firewall.rateLimits()]);
        set({
          rules: rules.ok ? rules.value : null,
          tiers: tiers.ok ? tiers.value : null,
          error: rules.ok ? (tiers.ok ? null : tiers.error) : rules.error,
        });
        await get().refreshMonitor(bridge);
      },
      async refreshMonitor(bridge) {
        const [blocks, samples] = await Promise.all([bridge.firewall.blocks(), bridge.firewall.refusals()]);
        set({
          blocks: blocks.ok ? blocks.value : null,
          samples: samples.ok ? samples.value : null,
          monitorError: blocks.ok ? (samples.ok ? null : samples.error) : blocks.error,
        });
      },
      async add(bridge, rule) {
        set({ busy: true, refusal: null, error: null, lastChange: null });
        const result = await bridge.firewall.addRule(rule);
        if (!result.ok) return failed(`add ${rule.action} ${rule.cidr}`, result.error);
        set({
          busy: false,
          error: null,
          rules: [...(get().rules ?? []), result.value],
          lastChange: `Added: ${result.value.action} ${result.value.cidr}`,
        });
        return true;
      },
      async setExpiry(bridge, ruleId, expiresAt) {
        set({ busy: true, refusal: null, error: null, lastChange: null });
        const result = await bridge.firewall.updateRule({ ruleId, expiresAt });
        const target = (get().rules ?? []).find((rule) => rule.id === ruleId);
        const name = target ? `${target.action} ${target.cidr}` : `rule ${ruleId}`;
        if (!result.ok) return failed(`change the expiry of ${name}`, result.error);
        const updated = result.value;
        // The server lists active rules only: one whose new expiry has passed is gone.
        const ended = updated.expiresAt !== null && Date.parse(updated.expiresAt) <= Date.now();
        set({
          busy: false,
          error: null,
          rules: (get().rules ?? []).flatMap((rule) =>
            rule.id !== ruleId ? [rule] : ended ? [] : [updated],
          ),
          lastChange: ended
            ? `Expired: ${updated.action} ${updated.cidr}`
            : `Expiry of ${updated.action} ${updated.cidr}: ${updated.expiresAt ?? 'never'}`,
        });
        return true;
      },
      async remove(bridge, ruleId) {
        set({ busy: true, refusal: null, error: null, lastChange: null });
        const result = await bridge.firewall.deleteRule({ ruleId });
        if (!result.ok) return failed(`delete rule ${ruleId}`, result.error);
        set({
          busy: false,
          error: null,
          rules: (get().rules ?? []).filter((rule) => rule.id !== ruleId),
          lastChange: result.value.deleted ? `Deleted rule ${ruleId}` : `Rule ${ruleId} was already gone`,
        });
        return true;
      },
    };
  });
}

/**
 * A ConsoleBridge for DOM tests, built with the contract's own `buildBridge` so it has
 * exactly the contract's keys. Each test supplies the handlers it needs; any other
 * call answers `unavailable`, like the console does for services not built yet.
 */
import type { ConsoleBridge } from '../../shared/common/contract/bridge.ts';
import { buildBridge } from '../../shared/common/contract/channels.ts';
import { fail, ok } from '../../shared/common/contract/result.ts';

export type Handler = (...args: unknown[]) => unknown;

export interface TestBridge {
  bridge: ConsoleBridge;
  /** Every call made, as `[channel, args]`, to check what left the renderer. */
  calls: [string, unknown[]][];
  emit(channel: string, payload: unknown): void;
}

export function createTestBridge(handlers: Record<string, Handler>): TestBridge {
  const calls: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const bridge = buildBridge({
    async invoke(channel, args) {
      calls.push([channel, args]);
      const handler = handlers[channel];
      if (!handler) return fail('unavailable', `${channel} is not available yet`);
      try {
        return ok(await handler(...args));
      } catch (error) {
        return fail('bad_request', error instanceof Error ? error.message : String(error));
      }
    },
    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  });
  return {
    bridge,
    calls,
    emit(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener(payload);
    },
  };
}

/**
 * Calls whose services are being built in other issues (machine activation — issue 5,
 * unlock — issue 6; audit and firewall are wired in console-core.ts). They are in the contract with their
 * schemas today, validated like every call, and answer an honest `unavailable`.
 * Replace a line here with the real service when it lands.
 */
import { notAvailableYet } from '../console-error.ts';
import type { BridgeHandlers } from '../ipc/handlers.ts';

export const pendingHandlers: Pick<BridgeHandlers, 'machine' | 'resources'> = {
  machine: {
    getInfo: async () => notAvailableYet('Machine fingerprinting'),
    activate: async () => notAvailableYet('Machine activation'),
  },
  resources: {
    list: async () => notAvailableYet('The resource list'),
    unlock: async () => notAvailableYet('Resource unlock'),
    cancelUnlock: async () => notAvailableYet('Resource unlock'),
    verifyManifest: async () => notAvailableYet('Manifest verification'),
  },
};

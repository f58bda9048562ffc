import { createContext, useContext } from 'react';
import type { ConsoleBridge } from '../../../shared/common/contract/bridge.ts';

/** The one bridge of this page, given to the tree by main.tsx. Stores read it through their actions. */
export const BridgeContext = createContext<ConsoleBridge | null>(null);

export function useBridge(): ConsoleBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge outside <BridgeContext.Provider>');
  return bridge;
}

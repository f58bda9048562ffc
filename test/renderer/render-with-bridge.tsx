import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { ConsoleBridge } from '../../shared/common/contract/bridge.ts';
import { BridgeContext } from '../../renderer/src/app/bridge-context.ts';

/** Renders a view the way main.tsx does: inside the page's bridge. */
export function renderWithBridge(bridge: ConsoleBridge, element: ReactElement) {
  return render(<BridgeContext.Provider value={bridge}>{element}</BridgeContext.Provider>);
}

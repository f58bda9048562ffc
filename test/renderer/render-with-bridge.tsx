import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { ConsoleBridge } from '../../shared/common/contract/bridge.ts';
import { BridgeContext } from '../../renderer/src/app/bridge-context.ts';
import { Providers } from '../../renderer/src/app/Providers.tsx';

/** Renders a view the way main.tsx does: inside the page's bridge and the component library's provider. */
export function renderWithBridge(bridge: ConsoleBridge, element: ReactElement) {
  return render(
    <BridgeContext.Provider value={bridge}>
      <Providers>{element}</Providers>
    </BridgeContext.Provider>,
  );
}

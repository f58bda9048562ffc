/** Renderer entry: find the bridge (Electron preload or browser mode), then mount the shell. */
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './ui/ui.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { BridgeContext } from './app/bridge-context.ts';
import { Providers } from './app/Providers.tsx';
import { findBridge } from './bridge/bridge.ts';
import { withStepUp } from './features/account/step-up.store.ts';
import { stepUpStore } from './features/account/step-up.hooks.ts';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const found = findBridge();
// One step-up for every view: a `reauth_required` answer prompts, then the call runs again.
const lookup = found.bridge
  ? { ...found, bridge: withStepUp(found.bridge, (raw) => stepUpStore.getState().ask(raw)) }
  : found;
createRoot(container).render(
  <StrictMode>
    {lookup.bridge ? (
      <BridgeContext.Provider value={lookup.bridge}>
        <Providers>
          <App shell={lookup.shell} />
        </Providers>
      </BridgeContext.Provider>
    ) : (
      <p className="fatal" role="alert" data-testid="no-bridge">
        {lookup.problem}
      </p>
    )}
  </StrictMode>,
);

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

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const found = findBridge();
createRoot(container).render(
  <StrictMode>
    {found.bridge ? (
      <BridgeContext.Provider value={found.bridge}>
        <Providers>
          <App shell={found.shell} />
        </Providers>
      </BridgeContext.Provider>
    ) : (
      <p className="fatal" role="alert" data-testid="no-bridge">
        {found.problem}
      </p>
    )}
  </StrictMode>,
);

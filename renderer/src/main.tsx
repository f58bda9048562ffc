/** Renderer entry: find the bridge (Electron preload or browser mode), then mount the shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { BridgeContext } from './app/bridge-context.ts';
import { findBridge } from './bridge/bridge.ts';
import './app/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const found = findBridge();
createRoot(container).render(
  <StrictMode>
    {found.bridge ? (
      <BridgeContext.Provider value={found.bridge}>
        <App shell={found.shell} />
      </BridgeContext.Provider>
    ) : (
      <p className="fatal" role="alert" data-testid="no-bridge">
        {found.problem}
      </p>
    )}
  </StrictMode>,
);

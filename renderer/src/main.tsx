/** Renderer entry: find the bridge (Electron preload or browser mode), then mount the shell. */
/*
 * Mantine's stylesheets for the frame and the first view (Status) only, in the order of
 * its whole-library styles.css, then ui.css, so that its overrides win. A view or dialog
 * loaded on demand imports, at its top, the stylesheets of the other components it
 * renders: they come with its chunk (docs/ARCHITECTURE.md §Where to add what, "a view").
 * A component that ui.css overrides stays in this list: a stylesheet loaded later than
 * ui.css would win over it.
 */
import '@mantine/core/styles/baseline.css';
import '@mantine/core/styles/default-css-variables.css';
import '@mantine/core/styles/global.css';
import '@mantine/core/styles/ScrollArea.css';
import '@mantine/core/styles/UnstyledButton.css';
import '@mantine/core/styles/VisuallyHidden.css';
import '@mantine/core/styles/Paper.css';
import '@mantine/core/styles/Loader.css';
import '@mantine/core/styles/CloseButton.css';
import '@mantine/core/styles/Group.css';
import '@mantine/core/styles/Input.css';
import '@mantine/core/styles/Alert.css';
import '@mantine/core/styles/Text.css';
import '@mantine/core/styles/Anchor.css';
import '@mantine/core/styles/Badge.css';
import '@mantine/core/styles/Button.css';
import '@mantine/core/styles/Center.css';
import '@mantine/core/styles/NavLink.css';
import '@mantine/core/styles/Tooltip.css';
import '@mantine/core/styles/Stack.css';
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Title.css';
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

import { MantineProvider, createTheme } from '@mantine/core';
import { useColorScheme } from '@mantine/hooks';
import { lazy, Suspense, type ReactNode } from 'react';
import { useSettings } from '../features/settings/settings.hooks.ts';
import { useResultToasts } from './result-toasts.ts';

// The toast host (and its stylesheet) in its own chunk: no toast is due before the first paint.
// toast() only needs the notifications store, which holds what is shown until the host is there.
const ToastHost = lazy(() => import('./ToastHost.tsx'));

/**
 * The component library's theme. Colours and sizes are CSS variables from Mantine's
 * static stylesheet (overridden in ui.css), not a `<style>` element built at run time:
 * the page's CSP allows styles from our own origin only.
 */
export const consoleTheme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'sm',
  cursorType: 'pointer',
});

/** Mantine with the console's theme choice (light, dark, or the system's), the toast host and the result toasts. */
export function Providers({ children }: { children: ReactNode }) {
  const choice = useSettings((state) => state.settings?.theme ?? 'system');
  const system = useColorScheme('light');
  useResultToasts();
  return (
    <MantineProvider
      theme={consoleTheme}
      forceColorScheme={choice === 'system' ? system : choice}
      withCssVariables={false}
      withGlobalClasses={false}
    >
      <Suspense fallback={null}>
        <ToastHost />
      </Suspense>
      {children}
    </MantineProvider>
  );
}

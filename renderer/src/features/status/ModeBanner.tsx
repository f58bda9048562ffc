import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { statusStore, useStatus } from './status.hooks.ts';
import { modeExplanation } from './mode-text.ts';

/**
 * The mode banner, above every view and impossible to dismiss: which Factory API the
 * console talks to and whether it is a demo (and what that refuses), production or debug.
 */
export function ModeBanner() {
  const bridge = useBridge();
  const status = useStatus((state) => state.status);
  const error = useStatus((state) => state.error);

  useEffect(() => {
    void statusStore.getState().refresh(bridge);
    return statusStore.getState().follow(bridge);
  }, [bridge]);

  if (error && !status) return <ErrorNote error={error} testId="status-error" />;
  if (!status) return null;
  if (!status.reachable) {
    return (
      <div className="banner banner-error" role="alert" data-testid="mode-banner">
        Factory API unreachable{status.serverUrl ? ` at ${status.serverUrl}` : ''}: {status.problem}
      </div>
    );
  }
  const where = status.embedded
    ? 'Local demo factory (embedded, on this machine)'
    : `Factory API ${status.serverUrl}`;
  const kind =
    status.debug || status.mode === 'development'
      ? 'banner-debug'
      : status.mode === 'production'
        ? 'banner-production'
        : 'banner-demo';
  return (
    <div className={`banner ${kind}`} role="status" data-testid="mode-banner">
      <strong>{where}</strong> · mode: <span data-testid="mode">{status.mode}</span>
      {status.debug ? ' · DEBUG ON' : ''}
      {modeExplanation(status).map((line) => (
        <div key={line}>{line}</div>
      ))}
    </div>
  );
}

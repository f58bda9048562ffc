import { Tooltip } from '@mantine/core';
import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { adviceFor } from '../../ui/error-advice.ts';
import { statusStore, useStatus } from './status.hooks.ts';
import { modeExplanation } from './mode-text.ts';

/** How often the shell asks the server for its status (the Status view shows when it last did). */
export const statusRefreshMs = 15_000;

/**
 * The mode strip, at the top of every view and impossible to dismiss: one line saying
 * which Factory API the console talks to and its mode (demo, production, debug), with
 * what that means; the whole text is on hover and read out by screen readers.
 */
export function ModeStrip() {
  const bridge = useBridge();
  const status = useStatus((state) => state.status);
  const error = useStatus((state) => state.error);

  useEffect(() => {
    void statusStore.getState().refresh(bridge);
    const timer = setInterval(() => void statusStore.getState().refresh(bridge), statusRefreshMs);
    const stop = statusStore.getState().follow(bridge);
    return () => {
      clearInterval(timer);
      stop();
    };
  }, [bridge]);

  if (error && !status)
    return (
      <div className="mode-strip banner-error" role="alert" data-testid="status-error">
        <span className="mode-tag">STATUS UNKNOWN</span>
        <span className="mode-text">
          {error.code}: {error.message} {adviceFor(error.code)}
        </span>
      </div>
    );
  if (!status) return <div className="mode-strip" aria-hidden />;
  if (!status.reachable) {
    return (
      <div className="mode-strip banner-error" role="alert" data-testid="mode-banner">
        <span className="mode-tag">UNREACHABLE</span>
        <span className="mode-text">
          Factory API unreachable{status.serverUrl ? ` at ${status.serverUrl}` : ''}: {status.problem}
        </span>
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
  const explanation = modeExplanation(status).join(' ');
  return (
    <Tooltip label={explanation} multiline w={480} position="bottom-start" openDelay={150}>
      <div className={`mode-strip ${kind}`} role="status" data-testid="mode-banner">
        <span className="mode-tag">
          <span data-testid="mode">{status.mode}</span>
          {status.publicDemo ? ' · public' : ''}
          {status.debug ? ' · DEBUG ON' : ''}
        </span>
        <span className="mode-text">
          <strong>{where}</strong> — {explanation}
        </span>
      </div>
    </Tooltip>
  );
}

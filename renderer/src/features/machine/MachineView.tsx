import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { machineStore, useMachine } from './machine.hooks.ts';

/** Machine: fingerprint components (values masked), binding strength, lease and activation. */
export function MachineView() {
  const bridge = useBridge();
  const info = useMachine((state) => state.info);
  const error = useMachine((state) => state.error);
  const loading = useMachine((state) => state.loading);

  useEffect(() => {
    void machineStore.getState().load(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="machine-title">
      <h1 id="machine-title">Machine</h1>
      <ErrorNote error={error} testId="machine-error" />
      {loading && !info ? <p className="muted">Reading the fingerprint…</p> : null}
      {info ? (
        <>
          <dl className="facts">
            <dt>Activation</dt>
            <dd data-testid="machine-activated">
              {info.activated ? `activated (${info.machineId ?? 'no id'})` : 'not activated'}
            </dd>
            <dt>Binding strength</dt>
            <dd>{info.bindingStrength} independent hardware components</dd>
            <dt>Offline lease valid until</dt>
            <dd>{info.leaseValidUntil ?? 'no lease'}</dd>
          </dl>
          <table className="data-table" aria-label="Fingerprint components">
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Found</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {info.components.map((component) => (
                <tr key={component.name}>
                  <th scope="row">{component.name}</th>
                  <td>{component.present ? 'yes' : 'no'}</td>
                  {/* Serials stay on the main side: the UI only knows whether one exists. */}
                  <td>{component.present ? '•••••••• (masked)' : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <Note tone="info">
        Pinned server fingerprints and deactivation are not in the console&apos;s contract yet; the CLI (
        <code>npx factory-console fingerprint</code>) shows this machine&apos;s fingerprint report.
      </Note>
      <button type="button" className="button" onClick={() => void machineStore.getState().load(bridge)}>
        Refresh
      </button>
    </section>
  );
}

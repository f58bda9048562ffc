import { useEffect, useState } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { leaseLeft } from '../../ui/lease-text.ts';
import { machineStore, useMachine } from './machine.hooks.ts';

/**
 * Machine: fingerprint components (values masked), binding strength, lease, activation,
 * the pinned server identity (public fingerprint and key id), and deactivation after a
 * confirmation.
 */
export function MachineView() {
  const bridge = useBridge();
  const info = useMachine((state) => state.info);
  const error = useMachine((state) => state.error);
  const loading = useMachine((state) => state.loading);
  const deactivating = useMachine((state) => state.deactivating);
  const lastChange = useMachine((state) => state.lastChange);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    void machineStore.getState().load(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="machine-title">
      <h1 id="machine-title">Machine</h1>
      <ErrorNote error={error} testId="machine-error" />
      {lastChange ? <Note tone="success">{lastChange}</Note> : null}
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
            <dd data-testid="machine-lease">
              {info.leaseValidUntil
                ? `${new Date(info.leaseValidUntil).toLocaleString()} (${leaseLeft(info.leaseValidUntil)})`
                : 'no lease'}
            </dd>
            <dt>Activated with</dt>
            <dd data-testid="machine-server">{info.serverUrl ?? '—'}</dd>
            <dt>Pinned certificate (SHA-256)</dt>
            <dd data-testid="machine-pinned-certificate">
              <code>
                {info.serverCertificateFingerprint ??
                  (info.activated ? 'none (plain HTTP, development only)' : '—')}
              </code>
            </dd>
            <dt>Pinned signing key id</dt>
            <dd data-testid="machine-pinned-key">
              <code>{info.serverKeyId ?? '—'}</code>
            </dd>
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
                  {/* Serials arrive masked (last four characters); the values stay on the main side. */}
                  <td>
                    <code>{component.display ?? '—'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <p className="muted">
        The CLI (<code>npx factory-console fingerprint</code>) shows this machine&apos;s full fingerprint
        report; <code>npx factory-console deactivate --local-only</code> deactivates without the server.
      </p>
      <div className="toolbar">
        <button type="button" className="button" onClick={() => void machineStore.getState().load(bridge)}>
          Refresh
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={!info?.activated || deactivating}
          onClick={() => setConfirming(true)}
        >
          Deactivate
        </button>
      </div>
      {confirming && info ? (
        <ConfirmDialog
          title="Deactivate this machine?"
          confirmLabel="Deactivate machine"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void machineStore.getState().deactivate(bridge);
          }}
        >
          The server revokes machine {info.machineId} (its seat is freed); then this machine&apos;s key, vault
          and activation are deleted. Unlocked resources stop opening offline; you must activate again to use
          them.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

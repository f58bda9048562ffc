import { useEffect, useState } from 'react';
import type { FirewallRule } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { firewallStore, useCanEditFirewall, useFirewall } from './firewall.hooks.ts';
import { RuleForm } from './RuleForm.tsx';
import { ExpiryEditor } from './ExpiryEditor.tsx';
import { BlocksTable } from './BlocksTable.tsx';
import { RefusalChart } from './RefusalChart.tsx';

/** How often the view refreshes blocks and the chart (the service samples on its own). */
const monitorIntervalMs = 5_000;

/**
 * Firewall: rules (add, edit expiry in place, delete with confirmation; disabled for
 * roles that may not; a refused change shown as such), rate-limit tiers, recent blocks
 * and the 401/429 chart.
 */
export function FirewallView() {
  const bridge = useBridge();
  const rules = useFirewall((state) => state.rules);
  const tiers = useFirewall((state) => state.tiers);
  const error = useFirewall((state) => state.error);
  const busy = useFirewall((state) => state.busy);
  const lastChange = useFirewall((state) => state.lastChange);
  const refusal = useFirewall((state) => state.refusal);
  const blocks = useFirewall((state) => state.blocks);
  const samples = useFirewall((state) => state.samples);
  const monitorError = useFirewall((state) => state.monitorError);
  const canEdit = useCanEditFirewall();
  const [deleting, setDeleting] = useState<FirewallRule | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  useEffect(() => {
    void firewallStore.getState().load(bridge);
    const timer = setInterval(() => void firewallStore.getState().refreshMonitor(bridge), monitorIntervalMs);
    return () => clearInterval(timer);
  }, [bridge]);

  return (
    <section aria-labelledby="firewall-title">
      <h1 id="firewall-title">Firewall</h1>
      <ErrorNote error={error} testId="firewall-error" />
      {refusal ? (
        <Note tone="error" testId="firewall-refusal">
          <strong>A refused change:</strong> the server refused to {refusal.change} ({refusal.error.code}:{' '}
          {refusal.error.message}). Nothing was changed.
        </Note>
      ) : null}
      {lastChange ? <Note tone="success">{lastChange}</Note> : null}
      {!canEdit ? (
        <p className="muted">
          Changing rules needs the firewall:write permission (admin); the controls are disabled.
        </p>
      ) : null}
      <RuleForm
        disabled={!canEdit || busy}
        onAdd={(rule) => void firewallStore.getState().add(bridge, rule)}
      />
      {rules ? (
        <table className="data-table" data-testid="firewall-rules">
          <caption>Rules</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Action</th>
              <th scope="col">Expires</th>
              <th scope="col">Note</th>
              <th scope="col">
                <span className="muted">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((rule) => (
              <tr key={rule.id}>
                <th scope="row">{rule.cidr}</th>
                <td>{rule.action}</td>
                <td>
                  {editing === rule.id && canEdit ? (
                    <ExpiryEditor
                      rule={rule}
                      onCancel={() => setEditing(null)}
                      onSave={(expiresAt) => {
                        setEditing(null);
                        void firewallStore.getState().setExpiry(bridge, rule.id, expiresAt);
                      }}
                    />
                  ) : rule.expiresAt ? (
                    <time dateTime={rule.expiresAt}>{new Date(rule.expiresAt).toLocaleString()}</time>
                  ) : (
                    'never'
                  )}
                </td>
                <td>{rule.note ?? ''}</td>
                <td>
                  <button
                    type="button"
                    className="button"
                    aria-label={`Edit expiry of ${rule.cidr}`}
                    disabled={!canEdit || busy || editing === rule.id}
                    onClick={() => setEditing(rule.id)}
                  >
                    Edit expiry
                  </button>{' '}
                  <button
                    type="button"
                    className="button button-danger"
                    disabled={!canEdit || busy}
                    onClick={() => setDeleting(rule)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {tiers ? (
        <table className="data-table" data-testid="rate-tiers">
          <caption>Rate-limit tiers</caption>
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">Requests</th>
              <th scope="col">Window</th>
            </tr>
          </thead>
          <tbody>
            {tiers.map((tier) => (
              <tr key={tier.name}>
                <th scope="row">{tier.name}</th>
                <td>{tier.limit}</td>
                <td>{tier.windowSeconds} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Refusals</h2>
      <ErrorNote error={monitorError} testId="firewall-monitor-error" />
      {samples ? <RefusalChart samples={samples} /> : null}
      {blocks ? <BlocksTable blocks={blocks} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this rule?"
          confirmLabel="Delete rule"
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const target = deleting;
            setDeleting(null);
            void firewallStore.getState().remove(bridge, target.id);
          }}
        >
          {deleting.action} {deleting.cidr} stops applying at once.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

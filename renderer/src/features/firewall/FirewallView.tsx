// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Popover.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/CheckboxCard.css';
import '@mantine/core/styles/CheckboxIndicator.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/Modal.css';
import { Badge, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { FirewallRule } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { adviceFor } from '../../ui/error-advice.ts';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatCount } from '../../ui/format.ts';
import { Time } from '../../ui/Time.tsx';
import { useSession } from '../session/session.hooks.ts';
import { firewallStore, useCanEditFirewall, useFirewall } from './firewall.hooks.ts';
import { RuleForm } from './RuleForm.tsx';
import { ExpiryEditor } from './ExpiryEditor.tsx';
import { BlocksTable } from './BlocksTable.tsx';
import { RefusalChart } from './RefusalChart.tsx';

/** Whether the rule form shows this error under one of its fields. */
function fieldError(error: BridgeError): boolean {
  return ['validation_failed', 'bad_request', 'conflict'].includes(error.code);
}

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
  const refusal = useFirewall((state) => state.refusal);
  const blocks = useFirewall((state) => state.blocks);
  const samples = useFirewall((state) => state.samples);
  const monitorError = useFirewall((state) => state.monitorError);
  const canEdit = useCanEditFirewall();
  const signedIn = useSession((state) => state.session?.signedIn ?? false);
  // Nobody signed in (or the session ended): the one thing to say is "sign in"; not a
  // missing permission, and not the refusals that say the same thing again.
  const signInNeeded =
    !signedIn || error?.code === 'unauthenticated' || monitorError?.code === 'unauthenticated';
  const [deleting, setDeleting] = useState<FirewallRule | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  // A deleted rule takes its row and Delete button with it: focus then goes to the Rules
  // heading (Tab continues into the form) instead of falling to the top of the page.
  const rulesTitle = useRef<HTMLHeadingElement>(null);
  const focusRulesAfterDelete = useRef(false);
  // The in-place expiry editor replaces the row's Edit expiry button while open (disabled):
  // closing it, by Escape, Cancel or Save, gives focus back to that button.
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  const returnToEdit = useRef<string | null>(null);
  useEffect(() => {
    // After a save, once the server answered (the buttons are disabled until then).
    if (editing !== null || returnToEdit.current === null || busy) return;
    const button = editButtons.current.get(returnToEdit.current);
    returnToEdit.current = null;
    if (button) button.focus();
    else rulesTitle.current?.focus(); // the rule ended and left the list
  }, [editing, busy]);
  useEffect(() => {
    if (!focusRulesAfterDelete.current) return;
    focusRulesAfterDelete.current = false;
    rulesTitle.current?.focus();
  }, [rules]);

  useEffect(() => {
    void firewallStore.getState().load(bridge);
    const timer = setInterval(() => void firewallStore.getState().refreshMonitor(bridge), monitorIntervalMs);
    return () => clearInterval(timer);
  }, [bridge]);

  const updated = useFirewall((state) => state.samples);
  return (
    <section aria-labelledby="firewall-title">
      <Group justify="space-between" className="view-title">
        <Title order={1} id="firewall-title">
          Firewall
        </Title>
        <Text size="xs" c="dimmed">
          {updated ? `blocks and chart refresh every ${monitorIntervalMs / 1000} s` : null}
        </Text>
      </Group>
      {signInNeeded ? (
        <EmptyState action={{ label: 'Sign in', view: 'session' }} testId="firewall-signed-out">
          Sign in to see and change the server&apos;s firewall rules, blocks and refusals.
        </EmptyState>
      ) : null}
      {/* A refused value is said under its field in the form, not twice. */}
      <ErrorNote
        error={error && !fieldError(error) && !signInNeeded ? error : null}
        testId="firewall-error"
      />
      {refusal ? (
        <Note tone="error" testId="firewall-refusal">
          <strong>A refused change:</strong> the server refused to {refusal.change} ({refusal.error.code}:{' '}
          {refusal.error.message}). Nothing was changed.{' '}
          <span className="muted">{adviceFor(refusal.error.code)}</span>
        </Note>
      ) : null}
      <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="firewall-rules-title">
        <Title order={2} id="firewall-rules-title" mb="xs" ref={rulesTitle} tabIndex={-1}>
          Rules
        </Title>
        {!canEdit && !signInNeeded ? (
          <Text size="sm" c="dimmed" mb="xs">
            Changing rules needs the firewall:write permission (admin); the controls are disabled.
          </Text>
        ) : null}
        <RuleForm
          disabled={!canEdit || busy}
          error={error}
          onAdd={(rule) => void firewallStore.getState().add(bridge, rule)}
        />
        {rules ? (
          <Table.ScrollContainer minWidth={640} mt="sm">
            <Table
              data-testid="firewall-rules"
              verticalSpacing={4}
              fz="sm"
              highlightOnHover
              aria-labelledby="firewall-rules-title"
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Address</Table.Th>
                  <Table.Th scope="col">Action</Table.Th>
                  <Table.Th scope="col">Expires</Table.Th>
                  <Table.Th scope="col">Note</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rules.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={5} className="muted">
                      No rules: every address may connect (subject to rate limits). Add a deny rule above to
                      block one.
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {rules.map((rule) => (
                  <Table.Tr key={rule.id}>
                    <Table.Th scope="row">
                      <code>{rule.cidr}</code>
                    </Table.Th>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={rule.action === 'deny' ? 'red' : 'green'}>
                        {rule.action}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {editing === rule.id && canEdit ? (
                        <ExpiryEditor
                          rule={rule}
                          onCancel={() => {
                            returnToEdit.current = rule.id;
                            setEditing(null);
                          }}
                          onSave={(expiresAt) => {
                            returnToEdit.current = rule.id;
                            setEditing(null);
                            void firewallStore.getState().setExpiry(bridge, rule.id, expiresAt);
                          }}
                        />
                      ) : rule.expiresAt ? (
                        <Time iso={rule.expiresAt} mode="both" />
                      ) : (
                        'never'
                      )}
                    </Table.Td>
                    <Table.Td>{rule.note ?? ''}</Table.Td>
                    <Table.Td className="table-actions">
                      <Group gap={6} wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`Edit expiry of ${rule.cidr}`}
                          ref={(button) => {
                            if (button) editButtons.current.set(rule.id, button);
                            else editButtons.current.delete(rule.id);
                          }}
                          disabled={!canEdit || busy || editing === rule.id}
                          onClick={() => setEditing(rule.id)}
                        >
                          Edit expiry
                        </Button>
                        <Button
                          size="xs"
                          color="red"
                          variant="outline"
                          aria-label={`Delete ${rule.cidr}`}
                          disabled={!canEdit || busy}
                          onClick={() => setDeleting(rule)}
                        >
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Paper>
      <div className="two-columns" style={{ marginTop: 'var(--mantine-spacing-sm)' }}>
        <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="firewall-refusals-title">
          <Title order={2} id="firewall-refusals-title" mb="xs">
            Refusals
          </Title>
          <ErrorNote error={signInNeeded ? null : monitorError} testId="firewall-monitor-error" />
          {samples ? <RefusalChart samples={samples} /> : null}
          {blocks ? (
            <>
              <Title order={3} mt="sm" mb={4}>
                Recent blocks
              </Title>
              <BlocksTable blocks={blocks} />
            </>
          ) : null}
        </Paper>
        {tiers ? (
          <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="firewall-tiers-title">
            <Title order={2} id="firewall-tiers-title" mb="xs">
              Rate-limit tiers
            </Title>
            <Table
              data-testid="rate-tiers"
              verticalSpacing={4}
              fz="sm"
              aria-labelledby="firewall-tiers-title"
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Tier</Table.Th>
                  <Table.Th scope="col">Requests</Table.Th>
                  <Table.Th scope="col">Window</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tiers.map((tier) => (
                  <Table.Tr key={tier.name}>
                    <Table.Th scope="row">{tier.name}</Table.Th>
                    <Table.Td>{formatCount(tier.limit)}</Table.Td>
                    <Table.Td>{tier.windowSeconds} s</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        ) : null}
      </div>
      {deleting ? (
        <ConfirmDialog
          title="Delete this rule?"
          confirmLabel="Delete rule"
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const target = deleting;
            setDeleting(null);
            focusRulesAfterDelete.current = true;
            void firewallStore
              .getState()
              .remove(bridge, target.id)
              .then((deleted) => {
                if (!deleted) focusRulesAfterDelete.current = false;
              });
          }}
        >
          {deleting.action} {deleting.cidr} stops applying at once.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

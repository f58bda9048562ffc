import { Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { PASSKEY_NAME_MAX } from '../../../../shared/common/contract/account-inputs.ts';
import type { PasskeySummary } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Time } from '../../ui/Time.tsx';
import { RecoveryCodesNote } from './RecoveryCodesNote.tsx';
import { accountStore, useAccount } from './account.hooks.ts';

/** Passkeys: add one on this device (named), rename, remove. */
export function PasskeySection() {
  const bridge = useBridge();
  const overview = useAccount((state) => state.overview);
  const busy = useAccount((state) => state.busy);
  const [name, setName] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [removing, setRemoving] = useState<PasskeySummary | null>(null);
  if (!overview) return null;
  if (!overview.webauthnAvailable) {
    return <Text size="sm">Passkeys are not configured on this server.</Text>;
  }

  function add(event: FormEvent): void {
    event.preventDefault();
    const chosen = name.trim() || 'Passkey';
    void accountStore
      .getState()
      .addPasskey(bridge, chosen)
      .then((added) => {
        if (!added) return;
        setName('');
        if (added.recoveryCodes) setCodes(added.recoveryCodes);
      });
  }

  function rename(event: FormEvent): void {
    event.preventDefault();
    if (!renaming || !renaming.name.trim()) return;
    void accountStore
      .getState()
      .renamePasskey(bridge, renaming.id, renaming.name.trim())
      .then((done) => done && setRenaming(null));
  }

  return (
    <Stack gap="sm" data-testid="passkey-section">
      {codes ? <RecoveryCodesNote codes={codes} onDone={() => setCodes(null)} /> : null}
      {overview.passkeys.length === 0 ? (
        <Text size="sm">No passkeys yet.</Text>
      ) : (
        <Table aria-label="Passkeys" data-testid="passkeys">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Added</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {overview.passkeys.map((passkey) => (
              <Table.Tr key={passkey.id} data-testid="passkey-row">
                <Table.Td>
                  {renaming?.id === passkey.id ? (
                    <form onSubmit={rename} aria-label={`Rename ${passkey.name}`} noValidate>
                      <Group gap="xs">
                        <TextInput
                          aria-label="New name"
                          value={renaming.name}
                          maxLength={PASSKEY_NAME_MAX}
                          autoFocus
                          onChange={(event) =>
                            setRenaming({ id: passkey.id, name: event.currentTarget.value })
                          }
                        />
                        <Button type="submit" size="xs" loading={busy}>
                          Save
                        </Button>
                        <Button size="xs" variant="default" onClick={() => setRenaming(null)}>
                          Cancel
                        </Button>
                      </Group>
                    </form>
                  ) : (
                    passkey.name
                  )}
                </Table.Td>
                <Table.Td>
                  <Time iso={passkey.createdAt} />
                </Table.Td>
                <Table.Td>{passkey.lastUsedAt ? <Time iso={passkey.lastUsedAt} /> : 'never'}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Rename ${passkey.name}`}
                      onClick={() => setRenaming({ id: passkey.id, name: passkey.name })}
                    >
                      Rename
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      color="red"
                      aria-label={`Remove ${passkey.name}`}
                      onClick={() => setRemoving(passkey)}
                    >
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <form onSubmit={add} aria-label="Add a passkey" noValidate>
        <Group gap="xs" align="flex-end">
          <TextInput
            label="Name of the new passkey"
            placeholder="e.g. YubiKey 5C, work laptop"
            value={name}
            maxLength={PASSKEY_NAME_MAX}
            onChange={(event) => setName(event.currentTarget.value)}
          />
          <Button type="submit" loading={busy}>
            Add a passkey
          </Button>
        </Group>
      </form>
      {removing ? (
        <ConfirmDialog
          title="Remove this passkey?"
          confirmLabel="Remove"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            const id = removing.id;
            setRemoving(null);
            void accountStore.getState().removePasskey(bridge, id);
          }}
        >
          <Text size="sm">
            “{removing.name}” will no longer sign in to this account. Remove it from the authenticator too.
          </Text>
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}

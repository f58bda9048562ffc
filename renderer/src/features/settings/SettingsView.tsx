// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/FloatingIndicator.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/CheckboxCard.css';
import '@mantine/core/styles/CheckboxIndicator.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/NumberInput.css';
import '@mantine/core/styles/SegmentedControl.css';
import {
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ServerPicker } from '../connection/ServerPicker.tsx';
import { settingsStore, useSettings } from './settings.hooks.ts';

const themes = ['system', 'light', 'dark'] as const;

const stored: readonly [string, string][] = [
  [
    'These settings',
    'settings.json in the console’s data folder (FACTORY_CONSOLE_DATA_DIR, default data/console)',
  ],
  [
    'Confirmed server certificates',
    'known-servers.json in the same data folder (fingerprint and certificate per address)',
  ],
  [
    'Unlocked vault key',
    'Memory of the console’s main side only, until you lock or the idle minutes run out',
  ],
  ['Sign-in tokens', 'Memory of the console’s main side only; never in this page, never on disk'],
  [
    'Activation, machine key, vault and offline leases',
    'The console home (FACTORY_CONSOLE_HOME, default ~/.config/factory-console on Linux), shared with the CLI; the machine key opens only with your password on this machine’s hardware',
  ],
  ['Embedded demo factory', 'factory/ in the data folder (its database, keys and bootstrap admin password)'],
  ['This page', 'Browser mode only: the per-launch token in this tab’s sessionStorage; nothing else'],
];

/** Settings: server URL (empty = the embedded demo factory), theme, hardware strictness, and what is stored where. */
export function SettingsView() {
  const bridge = useBridge();
  const settings = useSettings((state) => state.settings);
  const error = useSettings((state) => state.error);
  const saving = useSettings((state) => state.saving);
  const savedAt = useSettings((state) => state.savedAt);
  const [autoLock, setAutoLock] = useState<string | number>('');

  useEffect(() => {
    void settingsStore.getState().load(bridge);
  }, [bridge]);
  useEffect(() => setAutoLock(settings?.autoLockMinutes ?? ''), [settings?.autoLockMinutes]);
  const minutes = Number(autoLock);
  const autoLockValid = Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440;

  return (
    <section aria-labelledby="settings-title">
      <Title order={1} id="settings-title" className="view-title">
        Settings
      </Title>
      <ErrorNote error={error} />
      <div className="two-columns">
        <Paper withBorder p="md" radius="sm" component="section" aria-labelledby="settings-server">
          <Title order={2} id="settings-server" mb="xs">
            Server
          </Title>
          <Text size="sm" mb="xs">
            In use:{' '}
            <code data-testid="server-in-use">{settings?.serverUrl ?? 'the embedded demo factory'}</code>
          </Text>
          {/* Keyed by the stored address: the field starts from it once settings arrive. */}
          <ServerPicker key={settings?.serverUrl ?? ''} current={settings?.serverUrl ?? null} />
        </Paper>
        <Paper withBorder p="md" radius="sm" component="section" aria-labelledby="settings-look">
          <Stack gap="md">
            <Group justify="space-between">
              <Title order={2} id="settings-look">
                Appearance and vault
              </Title>
              {savedAt ? (
                <Text size="sm" role="status">
                  Saved.
                </Text>
              ) : null}
            </Group>
            <div>
              <Text size="sm" fw={500} id="theme-label" mb={4}>
                Theme
              </Text>
              <SegmentedControl
                data={themes.map((theme) => ({ value: theme, label: theme }))}
                value={settings?.theme ?? 'system'}
                disabled={!settings || saving}
                onChange={(value) => {
                  const theme = themes.find((candidate) => candidate === value);
                  if (theme) void settingsStore.getState().update(bridge, { theme });
                }}
                aria-label="Theme"
              />
            </div>
            <form
              aria-label="Vault auto-lock"
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                if (autoLockValid) void settingsStore.getState().update(bridge, { autoLockMinutes: minutes });
              }}
            >
              <Group align="flex-end" gap="xs">
                <NumberInput
                  label="Lock the unlocked vault after this many idle minutes (1–1440)"
                  min={1}
                  max={1440}
                  step={1}
                  allowDecimal={false}
                  value={autoLock}
                  onChange={setAutoLock}
                  error={autoLockValid ? undefined : 'A whole number of minutes from 1 to 1440.'}
                  w={340}
                />
                <Button type="submit" variant="default" disabled={saving || !autoLockValid}>
                  Save auto-lock
                </Button>
              </Group>
            </form>
            <Checkbox
              checked={settings?.strictHardware ?? false}
              disabled={!settings || saving}
              onChange={(event) =>
                void settingsStore.getState().update(bridge, { strictHardware: event.currentTarget.checked })
              }
              label="Strict hardware binding (refuse to unlock when any fingerprint component changed)"
            />
          </Stack>
        </Paper>
      </div>
      <Paper withBorder p="md" radius="sm" mt="sm" component="section" aria-labelledby="settings-stored">
        <Title order={2} id="settings-stored" mb="xs">
          What is stored where
        </Title>
        <Table verticalSpacing={4} fz="sm">
          <Table.Tbody>
            {stored.map(([what, where]) => (
              <Table.Tr key={what}>
                <Table.Th scope="row" w="30%">
                  {what}
                </Table.Th>
                <Table.Td>{where}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </section>
  );
}

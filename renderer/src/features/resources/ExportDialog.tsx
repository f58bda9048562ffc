import { Text } from '@mantine/core';
import { useState } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { adviceFor } from '../../ui/error-advice.ts';
import { errorLine } from '../../ui/ErrorNote.tsx';
import { formatBytes, formatCount } from '../../ui/format.ts';
import { FormDialog } from '../../ui/FormDialog.tsx';
import { emptyPasswordMessage, PasswordField } from '../../ui/PasswordField.tsx';
import { PathField } from '../files/PathField.tsx';
import { useVault } from '../vault/vault.hooks.ts';
import { resourcesStore, useResources } from './resources.hooks.ts';

/** What to do after a refused export, where the generic advice would mislead. */
const exportAdvice: Partial<Record<string, string>> = {
  conflict: 'Choose a file name that does not exist yet; exports never overwrite a file.',
  bad_request: 'Give an absolute path in an existing folder, for example /home/me/exports/manual.bin.',
  not_found: 'Unlock the resource into the vault first (Unlock).',
};

/**
 * Exports one vault item to a file (browser mode: a path field, not a native save
 * dialog). The password leaves this dialog only through the store action and is
 * cleared as soon as it is sent; the dialog stays open to show the path and bytes
 * written, or the refusal with what to do (under the field it concerns).
 */
export function ExportDialog({
  resourceId,
  name,
  onClose,
}: {
  resourceId: string;
  name: string;
  onClose(): void;
}) {
  const bridge = useBridge();
  const state = useResources((store) => store.exports[resourceId]);
  const [target, setTarget] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<{ path?: string; password?: string }>({});
  // While the vault is unlocked its key opens the item: no password to type again.
  const vaultOpen = useVault((store) => store.vault?.locked === false);
  const busy = state?.busy === true;
  const outcome = state && !state.busy ? state.outcome : null;
  const refusal = outcome && !outcome.ok ? outcome.error : null;
  const pathRefused = refusal && ['conflict', 'bad_request'].includes(refusal.code);
  const passwordRefused = refusal?.code === 'wrong_password';

  return (
    <FormDialog
      title={`Export ${name}`}
      submitLabel={busy ? 'Exporting…' : 'Export'}
      busy={busy}
      onClose={onClose}
      closeLabel={outcome?.ok ? 'Close' : 'Cancel'}
      onSubmit={() => {
        const secret = password;
        setPassword('');
        const found = {
          path: target.trim() ? undefined : 'Enter an absolute path for the new file.',
          password: vaultOpen || secret ? undefined : emptyPasswordMessage,
        };
        setProblems(found);
        if (found.path || found.password) return;
        void resourcesStore
          .getState()
          .exportTo(bridge, resourceId, target.trim(), vaultOpen ? undefined : secret);
      }}
    >
      <PathField
        label="Save to (absolute path on this machine)"
        value={target}
        placeholder="/home/me/exports/file.bin"
        onChange={(value) => {
          setTarget(value);
          setProblems((current) => ({ ...current, path: undefined }));
        }}
        save={{ suggestedName: name, purpose: 'resource' }}
        autoFocus
        error={
          problems.path ??
          (pathRefused
            ? `${refusal.message} — ${exportAdvice[refusal.code] ?? adviceFor(refusal.code)}`
            : undefined)
        }
      />
      {vaultOpen ? (
        <Text size="sm" c="dimmed" mt="xs" data-testid="export-vault-open">
          The vault is unlocked: its key opens this item.
        </Text>
      ) : (
        <PasswordField
          value={password}
          onChange={(value) => {
            setPassword(value);
            setProblems((current) => ({ ...current, password: undefined }));
          }}
          error={problems.password ?? (passwordRefused ? errorLine(refusal, 'unlock') : undefined)}
        />
      )}
      <div role="status" data-testid="export-result">
        {busy ? (
          <Text size="sm" c="dimmed" mt="xs">
            Decrypting and verifying every chunk…
          </Text>
        ) : null}
        {outcome?.ok ? (
          <Note tone="success">
            Exported {formatBytes(outcome.value.bytes)} ({formatCount(outcome.value.bytes)} bytes) to{' '}
            <code className="hash">{outcome.value.path}</code>.{' '}
            {outcome.value.audit === 'reported'
              ? 'The server recorded the export.'
              : 'The server was not reachable: the export is recorded at the next online unlock.'}
          </Note>
        ) : null}
        {refusal && !pathRefused && !passwordRefused ? (
          <Note tone="error">
            <strong>{refusal.code}</strong>: {refusal.message}{' '}
            <span className="muted">{exportAdvice[refusal.code] ?? adviceFor(refusal.code)}</span>
          </Note>
        ) : null}
      </div>
    </FormDialog>
  );
}

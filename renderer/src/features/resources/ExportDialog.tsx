import { useState } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { adviceFor } from '../../ui/error-advice.ts';
import { formatBytes } from '../../ui/ProgressBar.tsx';
import { PathField } from '../files/PathField.tsx';
import { useVault } from '../vault/vault.hooks.ts';
import { resourcesStore, useResources } from './resources.hooks.ts';
import { PasswordField } from '../../ui/PasswordField.tsx';

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
 * written, or the refusal with what to do.
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
  // While the vault is unlocked its key opens the item: no password to type again.
  const vaultOpen = useVault((store) => store.vault?.locked === false);
  const busy = state?.busy === true;
  const outcome = state && !state.busy ? state.outcome : null;

  return (
    <ConfirmDialog
      title={`Export ${name}`}
      confirmLabel={busy ? 'Exporting…' : 'Export'}
      onCancel={onClose}
      onConfirm={() => {
        const secret = password;
        setPassword('');
        if (busy || (!vaultOpen && !secret) || !target.trim()) return;
        void resourcesStore
          .getState()
          .exportTo(bridge, resourceId, target.trim(), vaultOpen ? undefined : secret);
      }}
    >
      <PathField
        label="Save to (absolute path on this machine)"
        value={target}
        placeholder="/home/me/exports/file.bin"
        onChange={setTarget}
        save={{ suggestedName: name, purpose: 'resource' }}
      />
      {vaultOpen ? (
        <p className="muted" data-testid="export-vault-open">
          The vault is unlocked: its key opens this item.
        </p>
      ) : (
        <PasswordField className="form" value={password} onChange={setPassword} />
      )}
      <div role="status" data-testid="export-result">
        {busy ? <p className="muted">Decrypting and verifying every chunk…</p> : null}
        {outcome?.ok ? (
          <p>
            Exported {formatBytes(outcome.value.bytes)} ({outcome.value.bytes} bytes) to{' '}
            <code>{outcome.value.path}</code>.{' '}
            {outcome.value.audit === 'reported'
              ? 'The server recorded the export.'
              : 'The server was not reachable: the export is recorded at the next online unlock.'}
          </p>
        ) : null}
        {outcome && !outcome.ok ? (
          <p className="error">
            <strong>{outcome.error.code}</strong>: {outcome.error.message}
            <span className="muted">
              {' '}
              {exportAdvice[outcome.error.code] ?? adviceFor(outcome.error.code)}
            </span>
          </p>
        ) : null}
      </div>
    </ConfirmDialog>
  );
}

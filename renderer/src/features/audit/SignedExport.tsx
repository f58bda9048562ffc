import { Button, Fieldset, Group } from '@mantine/core';
import { useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { PathField } from '../files/PathField.tsx';
import type { AuditState } from './audit.store.ts';
import { useAudit } from './audit.hooks.ts';

/**
 * The real log's signed export: the server writes every entry and a signed checkpoint,
 * the console saves it to a path on this machine; the same panel verifies such a file
 * offline and names its first bad entry. (A path field; the desktop app adds its save dialog.)
 */
export function SignedExport({ store }: { store: StoreApi<AuditState> }) {
  const [path, setPath] = useState('');
  const busy = useAudit(store, (s) => s.fileBusy);
  const exported = useAudit(store, (s) => s.exported);
  const checked = useAudit(store, (s) => s.fileVerification);
  const error = useAudit(store, (s) => s.fileError);
  const trimmed = path.trim();

  return (
    <Fieldset legend="Signed export (server JSONL + checkpoint)" data-testid="signed-export" my="xs" p="sm">
      <PathField
        label="File path on this machine"
        value={path}
        placeholder="/home/operator/audit.jsonl"
        onChange={setPath}
        save={{ suggestedName: `audit-${new Date().toISOString().slice(0, 10)}.jsonl`, purpose: 'audit' }}
        testId="export-path"
      />
      <Group gap="xs" mt="xs">
        <Button
          size="xs"
          variant="default"
          disabled={busy || trimmed === ''}
          onClick={() => void store.getState().exportSigned(trimmed)}
        >
          Save signed export
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={busy || trimmed === ''}
          onClick={() => void store.getState().verifyFile(trimmed)}
        >
          Verify file
        </Button>
      </Group>
      {exported ? (
        <Note tone="success" testId="signed-export-outcome">
          Saved {exported.entries.toLocaleString('en')} entries and the signed checkpoint to {exported.path} (
          {exported.bytes.toLocaleString('en')} bytes).
        </Note>
      ) : null}
      {checked?.intact ? (
        <Note tone="success" testId="file-verification">
          ✓ {checked.path}: {checked.checked.toLocaleString('en')} entries verified against the signed
          checkpoint.
        </Note>
      ) : null}
      {checked && !checked.intact ? (
        <Note tone="error" testId="file-verification">
          ✗ {checked.path} is TAMPERED or invalid: first bad entry is seq {checked.firstBadSeq ?? '?'} (
          {checked.reason?.replaceAll('_', ' ') ?? 'unknown reason'}
          {checked.message ? `: ${checked.message}` : ''}).
        </Note>
      ) : null}
      <ErrorNote error={error} />
    </Fieldset>
  );
}

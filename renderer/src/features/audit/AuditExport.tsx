import { Button, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatCount } from '../../ui/format.ts';
import type { AuditFilter, AuditSource } from './audit-source.ts';
import { exportEntries, maxExportEntries, type ExportProgress } from './audit-export.ts';

/** Saves the filtered entries as JSON lines (a download in browser mode, a save dialog in Electron). */
export function AuditExport({ source, filter }: { source: AuditSource; filter: AuditFilter }) {
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<BridgeError | null>(null);
  const stop = useRef(false);

  async function run(): Promise<void> {
    stop.current = false;
    setOutcome(null);
    setError(null);
    setProgress({ done: 0, total: null });
    const result = await exportEntries(source, filter, setProgress, () => stop.current);
    setProgress(null);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    if (result.value.stopped) {
      setOutcome('Export cancelled; nothing was saved.');
      return;
    }
    const name = `audit-${source.kind === 'synthetic' ? 'SYNTHETIC-' : ''}${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
    const url = URL.createObjectURL(new Blob([result.value.text], { type: 'application/x-ndjson' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setOutcome(
      `Saved ${result.value.count.toLocaleString('en')} entries as ${name}` +
        (result.value.truncated
          ? ` (the first ${maxExportEntries.toLocaleString('en')}; narrow the filter for the rest).`
          : '.'),
    );
  }

  return (
    <div>
      {progress ? (
        <>
          <Text span size="sm" c="dimmed" data-testid="export-progress">
            Exporting… {formatCount(progress.done)}
            {progress.total !== null ? ` of ${formatCount(progress.total)}` : ''}
          </Text>{' '}
          <Button size="xs" variant="default" onClick={() => (stop.current = true)}>
            Cancel export
          </Button>
        </>
      ) : (
        <Button size="xs" variant="default" onClick={() => void run()}>
          Export (JSON lines)
        </Button>
      )}
      {outcome ? (
        <Note tone="success" testId="export-outcome">
          {outcome}
        </Note>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}

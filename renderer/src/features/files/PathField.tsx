import { Button, TextInput } from '@mantine/core';
import type { SavePathInput } from '../../../../shared/common/contract/inputs.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { useShell } from '../../app/shell-context.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { filesStore, useFiles } from './files.hooks.ts';

/**
 * Where to save a file: a path field (browser mode has no save dialog), and in the
 * desktop app a **Choose…** button that opens the native save dialog and fills the field.
 */
export function PathField({
  label,
  value,
  onChange,
  placeholder,
  save,
  testId,
  autoFocus = false,
  error,
}: {
  label: string;
  value: string;
  onChange(path: string): void;
  placeholder: string;
  /** What the dialog proposes (desktop app only). */
  save: SavePathInput;
  testId?: string;
  /** The first field of a dialog: focus starts here. */
  autoFocus?: boolean;
  /** The message under the field. */
  error?: string;
}) {
  const bridge = useBridge();
  const shell = useShell();
  const choosing = useFiles((state) => state.choosing);
  const chooseError = useFiles((state) => state.error);

  return (
    <>
      <div className="path-field">
        <TextInput
          label={label}
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          data-testid={testId}
          data-autofocus={autoFocus || undefined}
          autoFocus={autoFocus}
          error={error}
          onChange={(event) => onChange(event.currentTarget.value)}
        />
        {shell === 'electron' ? (
          <Button
            variant="default"
            disabled={choosing}
            onClick={() =>
              void filesStore
                .getState()
                .chooseSavePath(bridge, save)
                .then((path) => {
                  if (path !== null) onChange(path);
                })
            }
          >
            Choose…
          </Button>
        ) : null}
      </div>
      {shell === 'electron' ? <ErrorNote error={chooseError} /> : null}
    </>
  );
}

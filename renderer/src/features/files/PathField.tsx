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
}: {
  label: string;
  value: string;
  onChange(path: string): void;
  placeholder: string;
  /** What the dialog proposes (desktop app only). */
  save: SavePathInput;
  testId?: string;
}) {
  const bridge = useBridge();
  const shell = useShell();
  const choosing = useFiles((state) => state.choosing);
  const error = useFiles((state) => state.error);

  return (
    <div className="path-field">
      <label className="form">
        {label}
        <input
          type="text"
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          data-testid={testId}
          onChange={(event) => onChange(event.target.value)}
        />
      </label>
      {shell === 'electron' ? (
        <>
          <button
            type="button"
            className="button"
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
          </button>
          <ErrorNote error={error} />
        </>
      ) : null}
    </div>
  );
}

import { useState, type FormEvent } from 'react';
import type { FirewallRule } from '../../../../shared/common/contract/bridge.ts';

/** `datetime-local` wants local wall-clock time without seconds or zone. */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export interface ExpiryEditorProps {
  rule: FirewallRule;
  onSave(expiresAt: string | null): void;
  onCancel(): void;
}

/**
 * The in-place expiry editor of one rule row: a local date and time, or "never".
 * An empty field is refused rather than read as "never", so a slip cannot make a
 * temporary rule permanent.
 */
export function ExpiryEditor({ rule, onSave, onCancel }: ExpiryEditorProps) {
  const [value, setValue] = useState(toLocalInput(rule.expiresAt));
  const [never, setNever] = useState(rule.expiresAt === null);

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (never) return onSave(null);
    const at = new Date(value);
    if (!value || Number.isNaN(at.getTime())) return;
    onSave(at.toISOString());
  }

  return (
    <form
      className="toolbar"
      aria-label={`Expiry of ${rule.cidr}`}
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <label>
        New expiry
        <input
          type="datetime-local"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          disabled={never}
          required={!never}
          autoFocus
        />
      </label>
      <label>
        <input type="checkbox" checked={never} onChange={(e) => setNever(e.target.checked)} />
        Never expires
      </label>
      <button type="submit" className="button button-primary">
        Save expiry
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

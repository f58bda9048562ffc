import { Button, Checkbox, Group, TextInput } from '@mantine/core';
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
 * An empty field is refused (with a message) rather than read as "never", so a slip
 * cannot make a temporary rule permanent. Escape cancels. Focus starts on the first
 * field that can take it; the row gives it back to its Edit expiry button afterwards.
 */
export function ExpiryEditor({ rule, onSave, onCancel }: ExpiryEditorProps) {
  const [value, setValue] = useState(toLocalInput(rule.expiresAt));
  const [never, setNever] = useState(rule.expiresAt === null);
  const [problem, setProblem] = useState<string | undefined>();

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (never) return onSave(null);
    const at = new Date(value);
    if (!value || Number.isNaN(at.getTime())) {
      setProblem('Pick a date and time, or tick "Never expires".');
      return;
    }
    onSave(at.toISOString());
  }

  return (
    <form
      aria-label={`Expiry of ${rule.cidr}`}
      onSubmit={submit}
      noValidate
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <Group gap="xs" align="flex-end" wrap="wrap">
        <TextInput
          label="New expiry"
          type="datetime-local"
          size="xs"
          value={value}
          onChange={(e) => {
            setValue(e.currentTarget.value);
            setProblem(undefined);
          }}
          disabled={never}
          error={problem}
          autoFocus={!never}
        />
        {/* A rule that never expires has its date field disabled: focus starts on this box then. */}
        <Checkbox
          size="xs"
          autoFocus={never}
          checked={never}
          onChange={(e) => setNever(e.currentTarget.checked)}
          label="Never expires"
          mb={6}
        />
        <Button type="submit" size="xs">
          Save expiry
        </Button>
        <Button type="button" size="xs" variant="default" onClick={onCancel}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}

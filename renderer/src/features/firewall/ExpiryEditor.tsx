import { Button, Checkbox, Group } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { FirewallRule } from '../../../../shared/common/contract/bridge.ts';
import { DateTimeField } from '../../ui/DateTimeField.tsx';
import { formatLocalInput } from '../../ui/format.ts';
import { readExpiry } from './expiry-input.ts';

export interface ExpiryEditorProps {
  rule: FirewallRule;
  onSave(expiresAt: string | null): void;
  onCancel(): void;
}

/**
 * The in-place expiry editor of one rule row: a local date and time, or "never".
 * An empty field is refused (with a message) rather than read as "never", so a slip
 * cannot make a temporary rule permanent; so is a time that cannot be read or has passed.
 * Escape cancels (once the field's calendar is closed). Focus starts on the first
 * field that can take it; the row gives it back to its Edit expiry button afterwards.
 */
export function ExpiryEditor({ rule, onSave, onCancel }: ExpiryEditorProps) {
  const [value, setValue] = useState(formatLocalInput(rule.expiresAt));
  const [never, setNever] = useState(rule.expiresAt === null);
  const [problem, setProblem] = useState<string | undefined>();

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (never) return onSave(null);
    const read = readExpiry(value);
    if (read.kind === 'empty') return setProblem('Pick a date and time, or tick "Never expires".');
    if (read.kind === 'problem') return setProblem(read.message);
    onSave(read.at.toISOString());
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
        <DateTimeField
          label="New expiry"
          size="xs"
          value={value}
          onChange={(text) => {
            setValue(text);
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

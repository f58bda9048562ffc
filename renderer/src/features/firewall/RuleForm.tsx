import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { FirewallRuleInput } from '../../../../shared/common/contract/inputs.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { DateTimeField } from '../../ui/DateTimeField.tsx';
import { readExpiry } from './expiry-input.ts';

const cidrShape = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

/**
 * The add-rule form: address or CIDR, allow/deny, optional expiry (local time) and note.
 * A malformed address, an expiry that cannot be read or has passed, or a value the
 * console or the server refused, gets its message under its field (the note above the
 * form then stays away: one place says it).
 */
export function RuleForm({
  disabled,
  onAdd,
  error,
}: {
  disabled: boolean;
  onAdd(rule: FirewallRuleInput): void;
  /** The last refusal of a change, shown under the address when it is about the values. */
  error?: BridgeError | null;
}) {
  const [cidr, setCidr] = useState('');
  const [action, setAction] = useState<'allow' | 'deny'>('deny');
  const [expires, setExpires] = useState('');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [expiresProblem, setExpiresProblem] = useState<string | undefined>();

  function submit(event: FormEvent): void {
    event.preventDefault();
    const badAddress = !cidrShape.test(cidr.trim());
    const expiry = readExpiry(expires);
    setProblem(badAddress ? 'An IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24.' : undefined);
    setExpiresProblem(expiry.kind === 'problem' ? expiry.message : undefined);
    if (badAddress || expiry.kind === 'problem') return;
    const rule: FirewallRuleInput = { cidr: cidr.trim(), action };
    if (expiry.kind === 'time') rule.expiresAt = expiry.at.toISOString();
    if (note.trim()) rule.note = note.trim();
    onAdd(rule);
  }

  // A refused value goes under its field: the router names it (`field`); the server's
  // refusals of a value (bad request, conflict) concern the address.
  const valuesRefused = error && ['validation_failed', 'bad_request', 'conflict'].includes(error.code);
  const under = (field: string): string | undefined =>
    valuesRefused && (error.field ?? 'cidr') === field ? error.message : undefined;

  return (
    <form aria-label="Add a rule" onSubmit={submit} noValidate>
      <Group align="flex-start" gap="xs" wrap="wrap">
        <TextInput
          label="Address or CIDR"
          value={cidr}
          onChange={(event) => {
            setCidr(event.currentTarget.value);
            setProblem(undefined);
          }}
          placeholder="203.0.113.0/24"
          disabled={disabled}
          error={problem ?? under('cidr')}
          w={220}
        />
        <NativeSelect
          label="Action"
          value={action}
          onChange={(event) => setAction(event.currentTarget.value === 'allow' ? 'allow' : 'deny')}
          disabled={disabled}
          data={['deny', 'allow']}
          w={100}
        />
        <DateTimeField
          label="Expires (optional, local time)"
          value={expires}
          onChange={(text) => {
            setExpires(text);
            setExpiresProblem(undefined);
          }}
          disabled={disabled}
          error={expiresProblem ?? under('expiresAt')}
          w={230}
        />
        <TextInput
          label="Note"
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          maxLength={256}
          disabled={disabled}
          error={under('note')}
          w={200}
        />
        <Button type="submit" disabled={disabled} mt={25}>
          Add rule
        </Button>
      </Group>
    </form>
  );
}

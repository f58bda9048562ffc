import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { AuditEventType } from '../../../../shared/common/audit-event.ts';
import type { AuditFilter } from './audit-source.ts';

const typeNames: string[] = Object.values(AuditEventType).sort();

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** The filter bar: type, actor, time range (local time) and free text; Enter applies. */
export function AuditFilters({ onApply }: { onApply(filter: AuditFilter): void }) {
  const [type, setType] = useState('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');

  function submit(event: FormEvent): void {
    event.preventDefault();
    onApply({ type, actor, from: toIso(from), to: toIso(to), search });
  }

  function clear(): void {
    setType('');
    setActor('');
    setFrom('');
    setTo('');
    setSearch('');
    onApply({});
  }

  return (
    <form aria-label="Audit filters" onSubmit={submit}>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <NativeSelect
          label="Type"
          size="xs"
          value={type}
          onChange={(event) => setType(event.currentTarget.value)}
          data={[{ value: '', label: 'any' }, ...typeNames.map((name) => ({ value: name, label: name }))]}
          w={190}
        />
        <TextInput
          label="Actor"
          size="xs"
          value={actor}
          onChange={(event) => setActor(event.currentTarget.value)}
          w={160}
        />
        <TextInput
          label="From"
          size="xs"
          type="datetime-local"
          value={from}
          onChange={(event) => setFrom(event.currentTarget.value)}
          w={190}
        />
        <TextInput
          label="To"
          size="xs"
          type="datetime-local"
          value={to}
          onChange={(event) => setTo(event.currentTarget.value)}
          w={190}
        />
        <TextInput
          label="Text"
          size="xs"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={160}
        />
        <Button type="submit" size="xs">
          Apply
        </Button>
        <Button type="button" size="xs" variant="default" onClick={clear}>
          Clear
        </Button>
      </Group>
    </form>
  );
}

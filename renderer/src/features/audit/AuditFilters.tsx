import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { AuditEventType } from '../../../../shared/common/audit-constants.ts';
import { DateTimeField } from '../../ui/DateTimeField.tsx';
import { parseLocalInput } from '../../ui/format.ts';
import type { AuditFilter } from './audit-source.ts';

const typeNames: string[] = Object.values(AuditEventType).sort();

/** An optional bound of the range: no text is no bound; text that reads as no time is a problem. */
function readBound(text: string): { at?: Date; problem?: string } {
  const read = parseLocalInput(text);
  if (read.ok) return { at: read.date };
  return read.reason === 'empty' ? {} : { problem: read.message };
}

/**
 * The filter bar: type, actor, time range (local time) and free text; Enter applies.
 * A bound that cannot be read, or a "To" before "From", is said under its field and
 * nothing is applied; every value typed stays as it was, to be corrected.
 */
export function AuditFilters({ onApply }: { onApply(filter: AuditFilter): void }) {
  const [type, setType] = useState('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const [fromProblem, setFromProblem] = useState<string | undefined>();
  const [toProblem, setToProblem] = useState<string | undefined>();
  const [backwards, setBackwards] = useState(false);

  function submit(event: FormEvent): void {
    event.preventDefault();
    const start = readBound(from);
    const end = readBound(to);
    const reversed = start.at !== undefined && end.at !== undefined && end.at < start.at;
    setFromProblem(start.problem);
    setToProblem(end.problem);
    setBackwards(reversed);
    if (start.problem || end.problem || reversed) return;
    onApply({ type, actor, from: start.at?.toISOString(), to: end.at?.toISOString(), search });
  }

  function clear(): void {
    setType('');
    setActor('');
    setFrom('');
    setTo('');
    setSearch('');
    setFromProblem(undefined);
    setToProblem(undefined);
    setBackwards(false);
    onApply({});
  }

  return (
    <form aria-label="Audit filters" onSubmit={submit}>
      {/* Top-aligned, so a message under one field does not lift it above the others; the
          buttons start one xs label lower, level with the inputs. */}
      <Group gap="xs" align="flex-start" wrap="wrap">
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
        <DateTimeField
          label="From"
          size="xs"
          value={from}
          onChange={(text) => {
            setFrom(text);
            setFromProblem(undefined);
            setBackwards(false);
          }}
          error={fromProblem}
          w={190}
        />
        <DateTimeField
          label="To"
          size="xs"
          value={to}
          onChange={(text) => {
            setTo(text);
            setToProblem(undefined);
            setBackwards(false);
          }}
          error={toProblem ?? (backwards ? '"To" is before "From".' : undefined)}
          w={190}
        />
        <TextInput
          label="Text"
          size="xs"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={160}
        />
        <Button type="submit" size="xs" mt={21}>
          Apply
        </Button>
        <Button type="button" size="xs" variant="default" onClick={clear} mt={21}>
          Clear
        </Button>
      </Group>
    </form>
  );
}

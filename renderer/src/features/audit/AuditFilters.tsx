import { useState, type FormEvent } from 'react';
import { AuditEventType } from '../../../../shared/common/audit-event.ts';
import type { AuditFilter } from './audit-source.ts';

const typeNames = Object.values(AuditEventType).sort();

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
    <form className="toolbar" aria-label="Audit filters" onSubmit={submit}>
      <label>
        Type
        <select value={type} onChange={(event) => setType(event.target.value)} aria-label="Type">
          <option value="">any</option>
          {typeNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Actor
        <input value={actor} onChange={(event) => setActor(event.target.value)} aria-label="Actor" />
      </label>
      <label>
        From
        <input
          type="datetime-local"
          value={from}
          onChange={(event) => setFrom(event.target.value)}
          aria-label="From"
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          value={to}
          onChange={(event) => setTo(event.target.value)}
          aria-label="To"
        />
      </label>
      <label>
        Text
        <input value={search} onChange={(event) => setSearch(event.target.value)} aria-label="Text" />
      </label>
      <button type="submit" className="button button-primary">
        Apply
      </button>
      <button type="button" className="button" onClick={clear}>
        Clear
      </button>
    </form>
  );
}

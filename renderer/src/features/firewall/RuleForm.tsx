import { useState, type FormEvent } from 'react';
import type { FirewallRuleInput } from '../../../../shared/common/contract/inputs.ts';

/** The add-rule form: address or CIDR, allow/deny, optional expiry (local time) and note. */
export function RuleForm({ disabled, onAdd }: { disabled: boolean; onAdd(rule: FirewallRuleInput): void }) {
  const [cidr, setCidr] = useState('');
  const [action, setAction] = useState<'allow' | 'deny'>('deny');
  const [expires, setExpires] = useState('');
  const [note, setNote] = useState('');

  function submit(event: FormEvent): void {
    event.preventDefault();
    const rule: FirewallRuleInput = { cidr: cidr.trim(), action };
    if (expires) rule.expiresAt = new Date(expires).toISOString();
    if (note.trim()) rule.note = note.trim();
    onAdd(rule);
  }

  return (
    <form className="toolbar" aria-label="Add a rule" onSubmit={submit}>
      <label>
        Address or CIDR
        <input
          value={cidr}
          onChange={(e) => setCidr(e.target.value)}
          placeholder="203.0.113.0/24"
          required
          disabled={disabled}
        />
      </label>
      <label>
        Action
        <select
          value={action}
          onChange={(e) => setAction(e.target.value === 'allow' ? 'allow' : 'deny')}
          disabled={disabled}
        >
          <option value="deny">deny</option>
          <option value="allow">allow</option>
        </select>
      </label>
      <label>
        Expires (optional)
        <input
          type="datetime-local"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          disabled={disabled}
        />
      </label>
      <label>
        Note
        <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={256} disabled={disabled} />
      </label>
      <button type="submit" className="button button-primary" disabled={disabled}>
        Add rule
      </button>
    </form>
  );
}

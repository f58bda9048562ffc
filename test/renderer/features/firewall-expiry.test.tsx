/**
 * The firewall view's "Edit expiry" control: disabled without firewall:write, a new
 * expiry and "never" sent as `firewall.updateRule` and shown in the row, Cancel sends
 * nothing, and a demo server's refusal shown as "A refused change" with the row intact.
 */
import { formatLocal, formatLocalInput, localInputMessages } from '../../../renderer/src/ui/format.ts';
import { expiryPassed } from '../../../renderer/src/features/firewall/expiry-input.ts';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FirewallRule } from '../../../shared/common/contract/bridge.ts';
import { buildBridge } from '../../../shared/common/contract/channels.ts';
import { fail, ok } from '../../../shared/common/contract/result.ts';
import { FirewallView } from '../../../renderer/src/features/firewall/FirewallView.tsx';
import { firewallStore } from '../../../renderer/src/features/firewall/firewall.hooks.ts';
import { sessionStore } from '../../../renderer/src/features/session/session.hooks.ts';
import { createTestBridge } from '../bridge-double.ts';
import { renderWithBridge } from '../render-with-bridge.tsx';

afterEach(cleanup);
beforeEach(() => firewallStore.setState({ refusal: null, lastChange: null, error: null, busy: false }));

const later = new Date(Date.now() + 3 * 86_400_000);

function expiryBridge() {
  const rules: FirewallRule[] = [
    { id: 'r1', cidr: '198.51.100.0/24', action: 'deny', expiresAt: later.toISOString(), note: null },
    { id: 'r2', cidr: '203.0.113.9/32', action: 'allow', expiresAt: null, note: 'vpn' },
  ];
  return createTestBridge({
    'firewall.listRules': () => rules.map((rule) => ({ ...rule })),
    'firewall.rateLimits': () => [],
    'firewall.updateRule': (input) => {
      const { ruleId, expiresAt } = input as { ruleId: string; expiresAt: string | null };
      const rule = rules.find((candidate) => candidate.id === ruleId);
      if (!rule) throw new Error('no such rule');
      rule.expiresAt = expiresAt;
      return { ...rule };
    },
  });
}

function signIn(role: string): void {
  sessionStore.setState({ session: { signedIn: true, email: 'a@x.test', role, serverUrl: null } });
}

function rowOf(cidr: string): HTMLElement {
  return screen.getByText(cidr).closest('tr') as HTMLElement;
}

describe('firewall rule expiry', () => {
  it('is disabled for a role without firewall:write', async () => {
    signIn('operator');
    renderWithBridge(expiryBridge().bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');
    const buttons = screen.getAllByRole('button', { name: /^Edit expiry of / }) as HTMLButtonElement[];
    expect(buttons).toHaveLength(2);
    expect(buttons.every((button) => button.disabled)).toBe(true);
  });

  it('sets a new expiry, makes a rule permanent, and sends nothing on Cancel', async () => {
    signIn('admin');
    const test = expiryBridge();
    renderWithBridge(test.bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');

    fireEvent.click(screen.getByRole('button', { name: 'Edit expiry of 198.51.100.0/24' }));
    fireEvent.click(within(rowOf('198.51.100.0/24')).getByRole('button', { name: 'Cancel' }));
    expect(test.calls.some(([channel]) => channel === 'firewall.updateRule')).toBe(false);

    // A new expiry for the allow rule (which had none).
    fireEvent.click(screen.getByRole('button', { name: 'Edit expiry of 203.0.113.9/32' }));
    const form = screen.getByRole('form', { name: 'Expiry of 203.0.113.9/32' });
    fireEvent.click(within(form).getByLabelText('Never expires'));
    fireEvent.change(within(form).getByLabelText('New expiry'), { target: { value: '2031-05-06 07:08' } });
    fireEvent.submit(form);
    const expected = new Date('2031-05-06T07:08').toISOString();
    // Shown in local time, with the exact instant in the <time> element.
    await waitFor(() =>
      expect(
        within(rowOf('203.0.113.9/32')).queryByText(formatLocal(expected), { exact: false }),
      ).not.toBeNull(),
    );
    expect(rowOf('203.0.113.9/32').querySelector('time')?.getAttribute('datetime')).toBe(expected);
    expect(test.calls.find(([channel]) => channel === 'firewall.updateRule')?.[1]).toEqual([
      { ruleId: 'r2', expiresAt: expected },
    ]);
    // The confirmation is a toast; the toast host loads on demand (Providers.tsx).
    expect(await screen.findByText(`Expiry of allow 203.0.113.9/32: ${expected}`)).toBeTruthy();

    // The deny rule made permanent.
    fireEvent.click(screen.getByRole('button', { name: 'Edit expiry of 198.51.100.0/24' }));
    const second = screen.getByRole('form', { name: 'Expiry of 198.51.100.0/24' });
    fireEvent.click(within(second).getByLabelText('Never expires'));
    fireEvent.submit(second);
    await waitFor(() => expect(within(rowOf('198.51.100.0/24')).queryByText('never')).not.toBeNull());
    expect(test.calls.filter(([channel]) => channel === 'firewall.updateRule').at(-1)?.[1]).toEqual([
      { ruleId: 'r1', expiresAt: null },
    ]);
  });

  it('refuses an unreadable or past expiry under the field and keeps the editor open with the text', async () => {
    signIn('admin');
    const test = expiryBridge();
    renderWithBridge(test.bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');
    fireEvent.click(screen.getByRole('button', { name: 'Edit expiry of 198.51.100.0/24' }));
    const form = screen.getByRole('form', { name: 'Expiry of 198.51.100.0/24' });
    const field = within(form).getByLabelText('New expiry') as HTMLInputElement;
    // The rule's expiry, as the field shows local time.
    expect(field.value).toBe(formatLocalInput(later));
    for (const [text, message] of [
      ['2031-02-30 10:00', localInputMessages.unreadable],
      ['2001-02-03 04:05', expiryPassed],
      ['', 'Pick a date and time, or tick "Never expires".'],
    ] as const) {
      fireEvent.change(field, { target: { value: text } });
      fireEvent.submit(form);
      await waitFor(() => expect(within(form).queryByText(message)).not.toBeNull());
      expect(field.value).toBe(text);
      expect(field.getAttribute('aria-invalid')).toBe('true');
    }
    expect(test.calls.some(([channel]) => channel === 'firewall.updateRule')).toBe(false);
    expect(screen.getByRole('form', { name: 'Expiry of 198.51.100.0/24' })).toBe(form);
  });

  it('shows a demo refusal as a refused change and keeps the row', async () => {
    signIn('admin');
    const rules: FirewallRule[] = [
      { id: 'r1', cidr: '198.51.100.0/24', action: 'deny', expiresAt: later.toISOString(), note: null },
    ];
    // A demo server answers 403 demo_read_only, which the shared double cannot produce.
    const bridge = buildBridge({
      invoke: (channel) =>
        Promise.resolve(
          channel === 'firewall.updateRule'
            ? fail('demo_read_only', 'the public demo refuses changes')
            : channel === 'firewall.listRules'
              ? ok(rules)
              : channel === 'firewall.rateLimits'
                ? ok([])
                : fail('unavailable', `${channel} is not available`),
        ),
      subscribe: () => () => undefined,
    });
    renderWithBridge(bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');
    fireEvent.click(screen.getByRole('button', { name: 'Edit expiry of 198.51.100.0/24' }));
    const form = screen.getByRole('form', { name: 'Expiry of 198.51.100.0/24' });
    fireEvent.click(within(form).getByLabelText('Never expires'));
    fireEvent.submit(form);
    const refusal = await screen.findByTestId('firewall-refusal');
    expect(refusal.textContent).toContain('A refused change');
    expect(refusal.textContent).toContain('change the expiry of deny 198.51.100.0/24');
    expect(refusal.textContent).toContain('demo_read_only');
    expect(
      within(rowOf('198.51.100.0/24')).getByText(formatLocal(later.toISOString()), { exact: false }),
    ).toBeTruthy();
  });
});

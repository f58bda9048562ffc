import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FirewallRule } from '../../../shared/common/contract/bridge.ts';
import { FirewallView } from '../../../renderer/src/features/firewall/FirewallView.tsx';
import { sessionStore } from '../../../renderer/src/features/session/session.hooks.ts';
import { firewallStore } from '../../../renderer/src/features/firewall/firewall.hooks.ts';
import { buildBridge } from '../../../shared/common/contract/channels.ts';
import { createTestBridge } from '../bridge-double.ts';
import { renderWithBridge } from '../render-with-bridge.tsx';
import { expiryPassed } from '../../../renderer/src/features/firewall/expiry-input.ts';
import { localInputMessages } from '../../../renderer/src/ui/format.ts';

afterEach(cleanup);

function firewallBridge() {
  const rules: FirewallRule[] = [
    { id: 'r1', cidr: '198.51.100.0/24', action: 'deny', expiresAt: null, note: null },
  ];
  return createTestBridge({
    'firewall.listRules': () => rules,
    'firewall.rateLimits': () => [{ name: 'login', limit: 5, windowSeconds: 60 }],
    'firewall.addRule': (input) => {
      const rule = {
        id: `r${rules.length + 1}`,
        expiresAt: null,
        note: null,
        ...(input as object),
      } as FirewallRule;
      rules.push(rule);
      return rule;
    },
    'firewall.deleteRule': (input) => {
      const index = rules.findIndex((rule) => rule.id === (input as { ruleId: string }).ruleId);
      if (index >= 0) rules.splice(index, 1);
      return { deleted: index >= 0 };
    },
  });
}

describe('firewall', () => {
  it('disables changes for a role without firewall:write', async () => {
    sessionStore.setState({
      session: { signedIn: true, email: 'v@x.test', role: 'operator', serverUrl: null },
    });
    renderWithBridge(firewallBridge().bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');
    expect((screen.getByRole('button', { name: 'Add rule' }) as HTMLButtonElement).disabled).toBe(true);
    expect(
      (screen.getByRole('button', { name: 'Delete 198.51.100.0/24' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(screen.getByTestId('rate-tiers').textContent).toContain('login');
  });

  it('adds a rule, and deletes one only after confirmation', async () => {
    sessionStore.setState({ session: { signedIn: true, email: 'a@x.test', role: 'admin', serverUrl: null } });
    const test = firewallBridge();
    renderWithBridge(test.bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');
    fireEvent.change(screen.getByLabelText('Address or CIDR'), { target: { value: '203.0.113.7' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Add a rule' }));
    expect(await screen.findByText('203.0.113.7')).toBeTruthy();
    // The confirmation is a toast; the toast host loads on demand (Providers.tsx).
    expect(await screen.findByText('Added: deny 203.0.113.7')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Delete 198.51.100.0/24' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(test.calls.some(([channel]) => channel === 'firewall.deleteRule')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Delete 198.51.100.0/24' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete rule' }));
    await waitFor(() => expect(screen.queryByText('198.51.100.0/24')).toBeNull());
    expect(test.calls.find(([channel]) => channel === 'firewall.deleteRule')?.[1]).toEqual([
      { ruleId: 'r1' },
    ]);
  });

  it('says under Expires why a time cannot be one, sends nothing, and keeps what was typed', async () => {
    sessionStore.setState({ session: { signedIn: true, email: 'a@x.test', role: 'admin', serverUrl: null } });
    const test = firewallBridge();
    renderWithBridge(test.bridge, <FirewallView />);
    await screen.findByText('198.51.100.0/24');
    const form = screen.getByRole('form', { name: 'Add a rule' });
    const expires = screen.getByLabelText('Expires (optional, local time)') as HTMLInputElement;
    fireEvent.change(screen.getByLabelText('Address or CIDR'), { target: { value: '203.0.113.7' } });
    fireEvent.change(screen.getByLabelText('Note'), { target: { value: 'night shift' } });
    const errorOf = (field: HTMLElement) =>
      (field.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ');

    fireEvent.change(expires, { target: { value: 'next friday' } });
    fireEvent.submit(form);
    await waitFor(() => expect(errorOf(expires)).toContain(localInputMessages.unreadable));
    expect(expires.value).toBe('next friday');

    fireEvent.change(expires, { target: { value: '2020-01-02 03:04' } });
    expect(errorOf(expires)).toBe('');
    fireEvent.submit(form);
    await waitFor(() => expect(errorOf(expires)).toContain(expiryPassed));
    expect(test.calls.some(([channel]) => channel === 'firewall.addRule')).toBe(false);
    expect((screen.getByLabelText('Address or CIDR') as HTMLInputElement).value).toBe('203.0.113.7');
    expect((screen.getByLabelText('Note') as HTMLInputElement).value).toBe('night shift');

    fireEvent.change(expires, { target: { value: '2031-05-06 07:08' } });
    fireEvent.submit(form);
    await waitFor(() => expect(test.calls.some(([channel]) => channel === 'firewall.addRule')).toBe(true));
    expect(test.calls.find(([channel]) => channel === 'firewall.addRule')?.[1]).toEqual([
      {
        cidr: '203.0.113.7',
        action: 'deny',
        expiresAt: new Date(2031, 4, 6, 7, 8).toISOString(),
        note: 'night shift',
      },
    ]);
  });

  it('does not show a refusal from before (not signed in yet) over a fresh load', async () => {
    firewallStore.setState({ error: { code: 'unauthenticated', message: 'authentication required' } });
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const test = createTestBridge({
      'firewall.listRules': async () => {
        await slow;
        return [{ id: 'r1', cidr: '198.51.100.0/24', action: 'deny', expiresAt: null, note: null }];
      },
      'firewall.rateLimits': () => [],
    });
    renderWithBridge(test.bridge, <FirewallView />);
    await waitFor(() => expect(test.calls.map(([channel]) => channel)).toContain('firewall.listRules'));
    expect(screen.queryByTestId('firewall-error')).toBeNull();
    release();
    expect(await screen.findByText('198.51.100.0/24')).toBeTruthy();
    expect(screen.queryByTestId('firewall-error')).toBeNull();
  });

  it('with nobody signed in (the session ended), asks to sign in and blames no permission', async () => {
    sessionStore.setState({
      session: { signedIn: false, email: null, role: null, serverUrl: null },
    });
    const signedOut = { ok: false, error: { code: 'unauthenticated', message: 'authentication required' } };
    const bridge = buildBridge({
      invoke: async () => signedOut,
      subscribe: () => () => undefined,
    });
    renderWithBridge(bridge, <FirewallView />);
    const empty = await screen.findByTestId('firewall-signed-out');
    expect(empty.textContent).toContain('Sign in');
    expect(empty.querySelector('button')?.textContent).toBe('Sign in');
    await waitFor(() => expect(document.body.textContent).not.toMatch(/permission/i));
    expect(document.body.textContent).not.toMatch(/sign in again/i);
  });
});

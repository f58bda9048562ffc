/**
 * The one step-up prompt: a call answered `reauth_required` opens it, the operator's
 * password (or code) goes to `account.reauth`, and the same call runs again, its result
 * being what the caller sees; cancelling hands back the refusal. Calls made while the
 * prompt is open wait for the same answer. No store holds the password.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleBridge, StepUpMethod } from '../../../../shared/common/contract/bridge.ts';
import { buildBridge } from '../../../../shared/common/contract/channels.ts';
import { fail, ok, type Result } from '../../../../shared/common/contract/result.ts';
import { StepUpDialog } from '../../../../renderer/src/features/account/StepUpDialog.tsx';
import { stepUpStore } from '../../../../renderer/src/features/account/step-up.hooks.ts';
import { withStepUp } from '../../../../renderer/src/features/account/step-up.store.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

const secret = 'correct horse battery staple';

/** A bridge whose firewall.addRule needs a step-up until account.reauth accepted the password. */
function stepUpBridge(methods: StepUpMethod[]) {
  const calls: [string, unknown[]][] = [];
  let recent = false;
  const raw = buildBridge({
    async invoke(channel, args): Promise<Result<unknown>> {
      calls.push([channel, args]);
      switch (channel) {
        case 'firewall.addRule':
          return recent
            ? ok({ id: 'rule-1', cidr: '10.0.0.0/8', action: 'deny', expiresAt: null, note: null })
            : fail('reauth_required', 'confirm it is you');
        case 'account.stepUpMethods':
          return ok(methods);
        case 'account.reauth': {
          const input = args[0] as Record<string, string>;
          if (input.password === secret || input.code === '123456') {
            recent = true;
            return ok({ validUntil: new Date(Date.now() + 300_000).toISOString() });
          }
          return fail('unauthenticated', 'the password was not accepted');
        }
        default:
          return fail('unavailable', `${channel} is not available`);
      }
    },
    subscribe: () => () => undefined,
  });
  const bridge: ConsoleBridge = withStepUp(raw, (inner) => stepUpStore.getState().ask(inner));
  return { bridge, calls };
}

const rule = { cidr: '10.0.0.0/8', action: 'deny' as const };

describe('step-up prompt', () => {
  it('asks for the password, then runs the refused call again and hands back its result', async () => {
    const { bridge, calls } = stepUpBridge(['password']);
    renderWithBridge(bridge, <StepUpDialog />);
    let outcome: Result<unknown> | undefined;
    let second: Result<unknown> | undefined;
    void bridge.firewall.addRule(rule).then((result) => (outcome = result));
    const password = (await screen.findByLabelText('Password')) as HTMLInputElement;
    // A second sensitive call meanwhile waits for the same prompt.
    void bridge.firewall.addRule(rule).then((result) => (second = result));
    fireEvent.change(password, { target: { value: 'wrong password' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Confirm it is you' }));
    expect(await screen.findByText(/the password was not accepted/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: secret } });
    fireEvent.submit(screen.getByRole('form', { name: 'Confirm it is you' }));
    await waitFor(() => expect(outcome).toMatchObject({ ok: true, value: { id: 'rule-1' } }));
    await waitFor(() => expect(second).toMatchObject({ ok: true }));
    expect(screen.queryByTestId('step-up')).toBeNull();
    expect(calls.filter(([channel]) => channel === 'account.reauth').map(([, args]) => args)).toEqual([
      [{ password: 'wrong password' }],
      [{ password: secret }],
    ]);
    expect(calls.filter(([channel]) => channel === 'account.stepUpMethods')).toHaveLength(1);
    expect(JSON.stringify(stepUpStore.getState())).not.toContain(secret);
  });

  it('asks an account with a factor for its code', async () => {
    const { bridge, calls } = stepUpBridge(['totp', 'recovery']);
    renderWithBridge(bridge, <StepUpDialog />);
    let outcome: Result<unknown> | undefined;
    void bridge.firewall.addRule(rule).then((result) => (outcome = result));
    const code = await screen.findByLabelText('Authenticator code');
    expect(screen.queryByLabelText('Password')).toBeNull();
    fireEvent.change(code, { target: { value: '123456' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Confirm it is you' }));
    await waitFor(() => expect(outcome).toMatchObject({ ok: true }));
    expect(calls.find(([channel]) => channel === 'account.reauth')?.[1]).toEqual([
      { method: 'totp', code: '123456' },
    ]);
  });

  it('cancelling hands the caller the original refusal', async () => {
    const { bridge, calls } = stepUpBridge(['password']);
    renderWithBridge(bridge, <StepUpDialog />);
    let outcome: Result<unknown> | undefined;
    void bridge.firewall.addRule(rule).then((result) => (outcome = result));
    await screen.findByLabelText('Password');
    act(() => stepUpStore.getState().cancel());
    await waitFor(() => expect(outcome).toMatchObject({ ok: false, error: { code: 'reauth_required' } }));
    expect(calls.filter(([channel]) => channel === 'firewall.addRule')).toHaveLength(1);
    expect(screen.queryByTestId('step-up')).toBeNull();
  });
});

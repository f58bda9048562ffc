import { Button, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { QRCodeSVG } from 'qrcode.react';
import { useState, type FormEvent } from 'react';
import type { TotpEnrolment } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { RecoveryCodesNote } from './RecoveryCodesNote.tsx';
import { accountStore, useAccount } from './account.hooks.ts';

/**
 * TOTP: enrol (the secret as text and as an `otpauth://` QR code, shown once, then a code
 * from the app confirms it), disable (needs a code), new recovery codes. The secret and the
 * codes live in this component's state only while they are on screen.
 */
export function TotpSection() {
  const bridge = useBridge();
  const overview = useAccount((state) => state.overview);
  const busy = useAccount((state) => state.busy);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [disabling, setDisabling] = useState(false);
  if (!overview) return null;

  async function start(): Promise<void> {
    setEnrolment(await accountStore.getState().startTotp(bridge));
  }

  function confirm(event: FormEvent): void {
    event.preventDefault();
    const typed = code.trim();
    setCode('');
    void accountStore
      .getState()
      .confirmTotp(bridge, typed)
      .then((recovery) => {
        if (recovery) {
          setEnrolment(null);
          setCodes(recovery);
        }
      });
  }

  function disable(event: FormEvent): void {
    event.preventDefault();
    const typed = code.trim();
    setCode('');
    void accountStore
      .getState()
      .disableTotp(bridge, typed)
      .then((done) => done && setDisabling(false));
  }

  const codeField = (label: string) => (
    <TextInput
      label={label}
      autoComplete="one-time-code"
      value={code}
      onChange={(event) => setCode(event.currentTarget.value)}
      maxLength={64}
      w={260}
    />
  );

  return (
    <Stack gap="sm" data-testid="totp-section">
      <Text size="sm">
        Authenticator app (TOTP):{' '}
        <strong data-testid="totp-state">{overview.totp ? 'on' : 'not set up'}</strong>
        {overview.totp || overview.passkeys.length > 0
          ? ` · ${overview.recoveryCodesLeft} recovery codes left`
          : ''}
      </Text>
      {codes ? <RecoveryCodesNote codes={codes} onDone={() => setCodes(null)} /> : null}
      {enrolment ? (
        <form onSubmit={confirm} aria-label="Confirm the authenticator app" noValidate>
          <Stack gap="xs">
            <Text size="sm">
              Scan the code with the authenticator app, or type the secret. It is shown only now.
            </Text>
            <Group align="flex-start" gap="md">
              <div className="qr-code" data-testid="totp-qr">
                <QRCodeSVG value={enrolment.otpauthUrl} size={176} marginSize={2} title="TOTP QR code" />
              </div>
              <Stack gap={4}>
                <Text size="sm">Secret</Text>
                <Code data-testid="totp-secret">{enrolment.secret}</Code>
              </Stack>
            </Group>
            {codeField('Code from the app')}
            <Group gap="xs">
              <Button type="submit" loading={busy}>
                Confirm
              </Button>
              <Button variant="default" onClick={() => setEnrolment(null)}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      ) : disabling ? (
        <form onSubmit={disable} aria-label="Turn off the authenticator app" noValidate>
          <Stack gap="xs">
            {codeField('Authenticator or recovery code')}
            <Group gap="xs">
              <Button type="submit" color="red" loading={busy}>
                Turn off
              </Button>
              <Button variant="default" onClick={() => setDisabling(false)}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Group gap="xs">
          {overview.totp ? (
            <Button variant="default" onClick={() => setDisabling(true)}>
              Turn off the authenticator app
            </Button>
          ) : (
            <Button onClick={() => void start()} loading={busy}>
              Set up an authenticator app
            </Button>
          )}
          {overview.totp || overview.passkeys.length > 0 ? (
            <Button
              variant="default"
              onClick={() =>
                void accountStore
                  .getState()
                  .newRecoveryCodes(bridge)
                  .then((fresh) => fresh && setCodes(fresh))
              }
            >
              New recovery codes
            </Button>
          ) : null}
        </Group>
      )}
    </Stack>
  );
}

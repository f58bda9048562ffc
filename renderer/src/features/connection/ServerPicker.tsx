import { Button, Checkbox, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { ServerIdentity } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatLocal } from '../../ui/format.ts';
import { fingerprintDigits } from './server.store.ts';
import { serverStore, useServer } from './server.hooks.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Which Factory API the console uses: an address (checked first: https shows its
 * certificate's fingerprint to confirm on first use) or the embedded demo factory.
 * `current` is the configured address (null: embedded), the field's starting value.
 */
export function ServerPicker({ current }: { current: string | null }) {
  const bridge = useBridge();
  const busy = useServer((state) => state.busy);
  const identity = useServer((state) => state.identity);
  const checkedUrl = useServer((state) => state.url);
  const error = useServer((state) => state.error);
  const applied = useServer((state) => state.applied);
  const [address, setAddress] = useState(current ?? '');

  function check(event: FormEvent): void {
    event.preventDefault();
    const url = address.trim();
    if (url === '') void serverStore.getState().use(bridge, null);
    else void serverStore.getState().inspect(bridge, url);
  }

  return (
    <div className="server-picker">
      <form onSubmit={check} aria-label="Server" noValidate className="narrow-form">
        <Stack gap="xs">
          <TextInput
            label="Factory API address (empty: the embedded local demo factory)"
            type="url"
            value={address}
            placeholder="https://factory.example.com:8443"
            spellCheck={false}
            onChange={(event) => {
              setAddress(event.currentTarget.value);
              serverStore.getState().clear();
            }}
          />
          <Button type="submit" variant="light" disabled={busy} className="submit">
            {address.trim() === '' ? 'Use the embedded demo factory' : busy ? 'Checking…' : 'Check server'}
          </Button>
        </Stack>
      </form>
      <ErrorNote error={error} testId="server-error" />
      {applied ? (
        <Note tone="success" testId="server-applied">
          Now using {applied.serverUrl ?? 'the embedded demo factory'}. Sign in below.
        </Note>
      ) : null}
      {identity && checkedUrl && !applied ? <IdentityCard identity={identity} url={checkedUrl} /> : null}
    </div>
  );
}

/** The checked server's identity and the one action that fits it. */
function IdentityCard({ identity, url }: { identity: ServerIdentity; url: string }) {
  const bridge = useBridge();
  const busy = useServer((state) => state.busy);
  const use = () => void serverStore.getState().use(bridge, url);

  if (identity.trust === 'plain_http') {
    const local = LOOPBACK.has(new URL(identity.origin).hostname);
    return (
      <div data-testid="server-identity" data-trust="plain_http">
        <Note tone={local ? 'info' : 'warning'}>
          Plain http: there is no certificate to confirm, and nothing proves which server answers.
          {local
            ? ' Acceptable for a server on this machine.'
            : ' Use https for any server not on this machine.'}
        </Note>
        <Button variant="default" disabled={busy} onClick={use}>
          Use {identity.origin}
        </Button>
      </div>
    );
  }
  if (identity.trust === 'trusted') {
    return (
      <div data-testid="server-identity" data-trust="trusted">
        <Note tone="success">
          Certificate confirmed earlier: <code className="fingerprint">{identity.presented}</code>
        </Note>
        <Button disabled={busy} onClick={use}>
          Use {identity.origin}
        </Button>
      </div>
    );
  }
  return <ConfirmCertificate identity={identity} url={url} />;
}

/**
 * Trust on first use: the operator compares the presented fingerprint with the one the
 * server printed at start (or the administrator sent). A pasted fingerprint is compared
 * here and again on the main side against what the server presents at that moment. A
 * changed certificate needs the new fingerprint pasted; a tick box is not enough.
 */
function ConfirmCertificate({ identity, url }: { identity: ServerIdentity; url: string }) {
  const bridge = useBridge();
  const busy = useServer((state) => state.busy);
  const [given, setGiven] = useState('');
  const [compared, setCompared] = useState(false);
  const presented = identity.presented ?? '';
  const changed = identity.trust === 'changed';
  const pasted = fingerprintDigits(given);
  const match = pasted === '' ? null : pasted === fingerprintDigits(presented);
  const allowed = match === true || (!changed && match === null && compared);

  return (
    <section data-testid="server-identity" data-trust={identity.trust} aria-labelledby="confirm-cert-title">
      <Title order={3} id="confirm-cert-title" my="xs">
        Confirm the server certificate
      </Title>
      {changed ? (
        <Note tone="error" testId="certificate-changed">
          The certificate changed since you confirmed it. Renewals do this — and so does someone intercepting
          the connection. Ask the administrator for the new fingerprint and paste it below.
          <div>
            Confirmed before: <code className="fingerprint">{identity.pinned}</code>
          </div>
        </Note>
      ) : (
        <Text size="sm">
          First connection to {identity.origin}. Compare this fingerprint with the one the server printed when
          it started (<code>TLS certificate SHA-256 fingerprint</code>) or that your administrator sent you by
          another channel. Nothing is sent to the server until you confirm.
        </Text>
      )}
      <dl className="facts">
        <dt>SHA-256 presented now</dt>
        <dd>
          <code className="fingerprint" data-testid="presented-fingerprint">
            {presented}
          </code>
        </dd>
        <dt>Subject</dt>
        <dd>{identity.subject ?? '—'}</dd>
        <dt>Valid until</dt>
        <dd>{identity.validTo ? formatLocal(identity.validTo) : '—'}</dd>
      </dl>
      <TextInput
        my="xs"
        label={`Fingerprint you were given ${changed ? '(required)' : '(paste to compare automatically)'}`}
        value={given}
        spellCheck={false}
        autoComplete="off"
        placeholder="AB:CD:…"
        onChange={(event) => setGiven(event.currentTarget.value)}
      />
      {match === true ? (
        <Note tone="success" testId="fingerprint-match">
          The fingerprints match.
        </Note>
      ) : null}
      {match === false ? (
        <Note tone="error" testId="fingerprint-mismatch">
          The fingerprints do NOT match. Do not continue: this may not be your server.
        </Note>
      ) : null}
      {!changed && match === null ? (
        <Checkbox
          my="xs"
          checked={compared}
          onChange={(event) => setCompared(event.currentTarget.checked)}
          label="I compared every character of the fingerprint above"
        />
      ) : null}
      <Button
        disabled={busy || !allowed}
        onClick={() =>
          void serverStore.getState().trustAndUse(bridge, url, match === true ? given : presented)
        }
      >
        Trust this certificate and use the server
      </Button>
    </section>
  );
}

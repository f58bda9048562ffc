import { useBridge } from '../../app/bridge-context.ts';
import { formatDuration } from '../../ui/ProgressBar.tsx';
import { statusStore, useStatus } from './status.hooks.ts';

const stateLabel = { info: 'note', warning: 'warning', critical: 'fix' } as const;

/** Status: server version and uptime, and the posture checklist with ok / warning / fix per item. */
export function StatusView() {
  const bridge = useBridge();
  const status = useStatus((state) => state.status);
  const app = useStatus((state) => state.app);
  const loading = useStatus((state) => state.loading);

  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">Status</h1>
      {status ? (
        <dl className="facts">
          <dt>Server</dt>
          <dd>{status.serverUrl ?? '—'}</dd>
          <dt>Version</dt>
          <dd>{status.version ?? 'unknown'}</dd>
          <dt>Uptime</dt>
          <dd>{status.uptimeSeconds === null ? 'unknown' : formatDuration(status.uptimeSeconds)}</dd>
          <dt>TLS</dt>
          <dd>{status.tls ?? 'unknown'}</dd>
          <dt>Checked</dt>
          <dd>{status.checkedAt}</dd>
        </dl>
      ) : (
        <p>{loading ? 'Asking the Factory API…' : 'No status yet.'}</p>
      )}
      {status?.embedded && app?.embeddedAdminEmail ? (
        <p className="hint">
          Sign in as <code>{app.embeddedAdminEmail}</code>; its one-time password is in the embedded
          factory&apos;s data folder (<code>secrets/bootstrap_admin.txt</code>).
        </p>
      ) : null}
      {status && status.posture.length > 0 ? (
        <table className="posture data-table" data-testid="posture">
          <caption>Security posture</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">State</th>
              <th scope="col">Detail</th>
              <th scope="col">Fix</th>
            </tr>
          </thead>
          <tbody>
            {status.posture.map((item) => (
              <tr key={item.id} className={item.ok ? 'ok' : `not-ok ${item.severity}`}>
                <th scope="row">{item.id}</th>
                <td>
                  <span
                    className={
                      item.ok ? 'badge badge-ok' : item.severity === 'critical' ? 'badge badge-bad' : 'badge'
                    }
                  >
                    {item.ok ? 'ok' : stateLabel[item.severity]}
                  </span>
                </td>
                <td>{item.detail}</td>
                <td>{item.ok ? '' : item.fix}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button
        type="button"
        className="button"
        onClick={() => void statusStore.getState().refresh(bridge)}
        disabled={loading}
      >
        Refresh
      </button>
    </section>
  );
}
